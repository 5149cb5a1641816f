from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from tenant_apps.events.consumers import outbox_consumer_register
        from webhooks import hooks
        from webhooks.services.fanout import CONSUMER_NAME, webhook_messages_make

        # Every event type: each endpoint's own patterns choose (fanout.event_type_matches).
        outbox_consumer_register(CONSUMER_NAME, webhook_messages_make)
        # The admin navigation entry.
        hooks.register()

        from django.utils.translation import gettext_lazy as _

        from core.entitlements import UsageMeter, usage_meter_register
        from webhooks.models import WebhookEndpoint

        usage_meter_register(
            UsageMeter(
                "webhook_endpoints",
                _("Webhook endpoints"),
                lambda: WebhookEndpoint.objects.count(),
                order=30,
            )
        )
