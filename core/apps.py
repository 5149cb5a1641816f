from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django.db.models import CharField
        from django.db.models.functions import Lower

        from core.request_context import clear_context

        # `email__lower=`, `slug__lower=`, `domain__lower=`: case-insensitive lookups that use
        # the functional unique indexes on LOWER(...); `__iexact` compiles to UPPER() and
        # would scan the table.
        CharField.register_lookup(Lower)
        request_finished.connect(clear_context, dispatch_uid="core.clear_request_context")

        from django.utils.translation import gettext_lazy as _

        from core.entitlements import UsageMeter, usage_meter_register
        from core.storage import STORAGE_RESOURCE, tenant_storage_used

        # Every uploaded file goes through the tenant media storage, which checks this meter.
        usage_meter_register(
            UsageMeter(STORAGE_RESOURCE, _("Storage"), tenant_storage_used, order=90, unit="bytes")
        )
