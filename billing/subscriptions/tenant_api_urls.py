from django.urls import path

from billing.subscriptions import tenant_api

urlpatterns = [
    path("billing/plan", tenant_api.BillingPlanApi.as_view(), name="billing-plan"),
    path("billing/plan/checkout", tenant_api.BillingCheckoutApi.as_view(), name="billing-checkout"),
    path("billing/plan/portal", tenant_api.BillingPortalApi.as_view(), name="billing-portal"),
]
