"""Authors' pages of dashboards, under /teach/ (see teach_views)."""

from django.urls import path

from tenant_apps.dashboards import teach_views as views

urlpatterns = [
    path("teach/courses/", views.teach_courses, name="teach-courses"),
    path(
        "teach/courses/<int:course_id>/analytics/",
        views.course_analytics,
        name="teach-course-analytics",
    ),
]
