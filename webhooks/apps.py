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
