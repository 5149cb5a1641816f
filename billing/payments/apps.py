from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "billing.payments"
    label = "payments"
    verbose_name = "Course payments"

    def ready(self) -> None:
        from billing.payments import hooks, learner_hooks

        # The course page's Buy offer, the tax note beside prices, "My purchases".
        learner_hooks.register()
        # The admin menu's entry and the revenue panels of the dashboards.
        hooks.register()
