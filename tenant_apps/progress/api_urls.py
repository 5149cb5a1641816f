from django.urls import path

from tenant_apps.progress import api

urlpatterns = [
    path(
        "enrollments/<int:enrollment_id>/lessons/<int:lesson_id>/progress",
        api.LessonProgressApi.as_view(),
        name="lesson-progress",
    ),
    path(
        "enrollments/<int:enrollment_id>/progress",
        api.EnrollmentProgressApi.as_view(),
        name="enrollment-progress",
    ),
]
