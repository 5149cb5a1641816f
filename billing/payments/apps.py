from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "billing.payments"
    label = "payments"
    verbose_name = "Course payments"

    def ready(self) -> None:
        from billing.payments import hooks

        # The admin menu's entry and the revenue panels of the dashboards.
        hooks.register()
