from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "billing.payments"
    label = "payments"
    verbose_name = "Course payments"

    def ready(self) -> None:
        from billing.payments import learner_hooks

        # The course page's Buy offer, the tax note beside prices, "My purchases".
        learner_hooks.register()
