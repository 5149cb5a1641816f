from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tenant_apps.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from core.navigation import Area, NavEntry, nav_entry_register
        from tenant_apps.audit.views import may_read_audit_log

        nav_entry_register(
            NavEntry(Area.ADMIN, _("Audit log"), "manage-audit", may_read_audit_log, order=90)
        )
