from django.urls import path

from billing.subscriptions import api

urlpatterns = [
    path("plans", api.PlanListApi.as_view(), name="platform-plan-list"),
    path("plans/<slug:code>", api.PlanDetailApi.as_view(), name="platform-plan-detail"),
    path("plans/<slug:code>/archive", api.PlanArchiveApi.as_view(), name="platform-plan-archive"),
    path("subscriptions", api.SubscriptionListApi.as_view(), name="platform-subscription-list"),
    path("tenants/<str:slug>/plan", api.TenantPlanApi.as_view(), name="platform-tenant-plan"),
    path("billing/revenue", api.RevenueApi.as_view(), name="platform-revenue"),
]
