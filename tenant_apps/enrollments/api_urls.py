from django.urls import path

from tenant_apps.enrollments import api

urlpatterns = [
    path("courses/<int:course_id>/enroll", api.SelfEnrollApi.as_view(), name="course-enroll"),
    path(
        "courses/<int:course_id>/assign-group",
        api.CourseAssignGroupApi.as_view(),
        name="course-assign-group",
    ),
    path("me/enrollments", api.MyEnrollmentListApi.as_view(), name="my-enrollments"),
    path("enrollments", api.EnrollmentListApi.as_view(), name="enrollment-list"),
    path(
        "enrollments/<int:enrollment_id>",
        api.EnrollmentDetailApi.as_view(),
        name="enrollment-detail",
    ),
    path(
        "enrollments/<int:enrollment_id>/cancel",
        api.EnrollmentCancelApi.as_view(),
        name="enrollment-cancel",
    ),
    path(
        "enrollments/<int:enrollment_id>/activate",
        api.EnrollmentActivateApi.as_view(),
        name="enrollment-activate",
    ),
]
