"""The portal pages of audit (see views.py)."""

from django.urls import path

from tenant_apps.audit import views

urlpatterns = [
    path("manage/audit/", views.audit_log, name="manage-audit"),
]
