"""The tenant admin's dashboard (see manage_views.py)."""

from django.urls import path

from tenant_apps.dashboards import manage_views

urlpatterns = [
    path("manage/", manage_views.admin_dashboard, name="manage-dashboard"),
]
