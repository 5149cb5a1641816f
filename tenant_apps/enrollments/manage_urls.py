"""The tenant admin's pages for enrollments and assignments (see manage_views.py)."""

from django.urls import path

from tenant_apps.enrollments import manage_views

urlpatterns = [
    path("manage/enrollments/", manage_views.enrollment_list, name="manage-enrollments"),
    path(
        "manage/enrollments/assign/",
        manage_views.enrollment_assign,
        name="manage-enrollments-assign",
    ),
    path(
        "manage/enrollments/<int:enrollment_id>/cancel/",
        manage_views.enrollment_cancel,
        name="manage-enrollment-cancel",
    ),
    path(
        "manage/enrollments/<int:enrollment_id>/activate/",
        manage_views.enrollment_activate,
        name="manage-enrollment-activate",
    ),
]
