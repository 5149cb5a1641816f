"""The audit log for admins: GET /api/v1/audit-log."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from tenant_apps.audit import selectors
from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.people.permissions import Capability, requires

MAX_ID = 2**63 - 1  # bigint


class AuditLogQuery(serializers.Serializer):
    """The list's filters; a blank or absent one does not narrow it."""

    action = serializers.ChoiceField(choices=AuditAction.choices, required=False, allow_blank=True)
    actor_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    target_type = serializers.CharField(required=False, allow_blank=True)
    target_id = serializers.CharField(required=False, allow_blank=True)
    since = serializers.DateTimeField(required=False, help_text="Entries at or after this moment.")
    until = serializers.DateTimeField(required=False, help_text="Entries before this moment.")
    ordering = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="`created_at` lists the oldest entry first; anything else, the newest.",
    )


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


@extend_schema(parameters=[AuditLogQuery])
class AuditLogApi(generics.ListAPIView):
    permission_classes = [requires(Capability.VIEW_AUDIT_LOG)]
    serializer_class = AuditEntryOutput
    filter_backends: list = []  # the filters are the selector's (AuditLogQuery)

    def get_queryset(self) -> QuerySet[AuditEntry]:
        query = AuditLogQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = {name: value for name, value in query.validated_data.items() if value != ""}
        oldest_first = filters.pop("ordering", None) == "created_at"
        return selectors.audit_entry_list(**filters, oldest_first=oldest_first)
