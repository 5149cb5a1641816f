from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    """Platform billing: plans, the tenants' Stripe subscriptions, dunning (public schema)."""

    name = "billing.subscriptions"
    label = "subscriptions"
    verbose_name = "Platform billing"

    def ready(self) -> None:
        from billing.subscriptions import hooks

        hooks.register()
