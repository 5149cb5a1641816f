from django.urls import path

from billing.subscriptions import operator_views

urlpatterns = [
    path("billing/", operator_views.billing_overview, name="operator-billing"),
    path("billing/plans/", operator_views.plan_list, name="operator-plans"),
    path("billing/plans/new/", operator_views.plan_create, name="operator-plan-create"),
    path("billing/plans/<slug:code>/", operator_views.plan_edit, name="operator-plan"),
    path(
        "billing/plans/<slug:code>/archive/",
        operator_views.plan_archive,
        name="operator-plan-archive",
    ),
    path(
        "tenants/<str:slug>/plan/",
        operator_views.tenant_plan_change,
        name="operator-tenant-plan",
    ),
]
