from django.urls import path

from tenant_apps.audit import api

urlpatterns = [
    path("audit-log", api.AuditLogApi.as_view(), name="audit-log"),
]
