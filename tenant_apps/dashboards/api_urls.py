from django.urls import path

from tenant_apps.dashboards import api

urlpatterns = [
    path(
        "dashboards/instructor", api.InstructorDashboardApi.as_view(), name="dashboard-instructor"
    ),
    path("dashboards/learner", api.LearnerDashboardApi.as_view(), name="dashboard-learner"),
    path("dashboards/admin", api.AdminDashboardApi.as_view(), name="dashboard-admin"),
]
