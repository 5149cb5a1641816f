from django.urls import path

from billing.payments import webhook_views

urlpatterns = [
    path(
        "billing/webhooks/<str:provider>/",
        webhook_views.provider_webhook,
        name="payments-provider-webhook",
    ),
]
