"""How platform billing plugs into the floors below, registered once from
SubscriptionsConfig.ready(): the limit source of the entitlement check, the admin menu's
"Plan and billing" entry, the past-due banner on admin pages, and the check of a new
tenant's plan code."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.entitlements import limit_source_register
from core.navigation import Area, Banner, NavEntry, admin_banner_register, nav_entry_register
from tenant_apps.people.permissions import Capability, user_can


def can_manage_billing(user) -> bool:
    return user_can(user, Capability.MANAGE_BILLING)


def past_due_banners(request) -> list[Banner]:
    """A banner for admins while the tenant's payment is overdue (from Redis: no query)."""
    from billing.subscriptions.overdue_marks import overdue_grace_end

    tenant = getattr(request, "tenant", None)
    if tenant is None or not can_manage_billing(getattr(request, "user", None)):
        return []
    overdue, ends = overdue_grace_end(tenant.pk)
    if not overdue:
        return []
    text = _("The payment for your plan failed.")
    if ends:
        text += " " + _("Update your card by %(date)s, or the portal will be suspended.") % {
            "date": date_format(ends, "DATE_FORMAT")
        }
    return [
        Banner(
            text=text,
            link_url=reverse("manage-billing-plan"),
            link_label=_("Plan and billing"),
            level="warning",
        )
    ]


def register() -> None:
    from billing.subscriptions.limits import LIMIT_SOURCE, new_tenant_plan_problem
    from shared_apps.tenants.hooks import plan_code_checker_register

    limit_source_register(LIMIT_SOURCE)
    plan_code_checker_register(new_tenant_plan_problem)
    nav_entry_register(
        NavEntry(
            Area.ADMIN,
            gettext_lazy("Plan and billing"),
            "manage-billing-plan",
            can_manage_billing,
            order=85,
            also_current=("manage-billing-",),
        )
    )
    admin_banner_register(past_due_banners)

    from billing.subscriptions.operator_views import tenant_plan_section
    from shared_apps.operators.hooks import (
        ConsoleLink,
        console_link_register,
        tenant_section_register,
    )

    console_link_register(ConsoleLink(gettext_lazy("Billing"), "operator-billing", order=10))
    tenant_section_register(tenant_plan_section)
