"""The audit log for admins: GET /api/v1/audit-log."""

from __future__ import annotations

from rest_framework import generics, serializers

from tenant_apps.audit.models import AuditEntry
from tenant_apps.people.permissions import Capability, requires


class AuditEntryOutput(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "action",
            "actor_id",
            "actor_email",
            "target_type",
            "target_id",
            "target_label",
            "before",
            "after",
            "ip_address",
            "created_at",
        ]


class AuditLogApi(generics.ListAPIView):
    permission_classes = [requires(Capability.VIEW_AUDIT_LOG)]
    serializer_class = AuditEntryOutput
    filterset_fields = ["action", "target_type", "target_id", "actor_id"]
    ordering_fields = ["created_at"]
    queryset = AuditEntry.objects.all()
