from django.urls import path

from billing.subscriptions import manage_views

urlpatterns = [
    path("manage/billing/plan/", manage_views.plan_home, name="manage-billing-plan"),
    path("manage/billing/plan/upgrade/", manage_views.plan_upgrade, name="manage-billing-upgrade"),
    path("manage/billing/portal/", manage_views.billing_portal, name="manage-billing-portal"),
]
