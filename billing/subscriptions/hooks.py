"""How platform billing plugs into the floors below, registered once from
SubscriptionsConfig.ready(): the limit source of the entitlement check, the admin menu's
"Plan and billing" entry, the past-due and subscription-ended banners on admin pages, and
the check of a new tenant's plan code."""

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


def _plan_banner(text: str, level: str) -> Banner:
    return Banner(
        text=text,
        link_url=reverse("manage-billing-plan"),
        link_label=_("Plan and billing"),
        level=level,
    )


def billing_banners(request) -> list[Banner]:
    """A banner for admins while the tenant's payment is overdue (from Redis) or after its
    subscription ended (the routed tenant's plan): no query either way."""
    from billing.subscriptions.models import PLAN_AFTER_CANCELLATION
    from billing.subscriptions.overdue_marks import overdue_grace_end

    tenant = getattr(request, "tenant", None)
    if tenant is None or not can_manage_billing(getattr(request, "user", None)):
        return []
    if getattr(tenant, "plan_code", "") == PLAN_AFTER_CANCELLATION:
        text = _(
            "Your subscription has ended: everything you have stays, but no people, courses "
            "or files can be added until you choose a plan."
        )
        return [_plan_banner(text, "warning")]
    overdue, ends = overdue_grace_end(tenant.pk)
    if not overdue:
        return []
    text = _("The payment for your plan failed.")
    if ends:
        text += " " + _("Update your card by %(date)s, or the portal will be suspended.") % {
            "date": date_format(ends, "DATE_FORMAT")
        }
    return [_plan_banner(text, "warning")]


def suspension_for_payment(tenant) -> str | None:
    """For the page a suspended portal shows: whether dunning suspended it, and what its
    admins do about it (the signed pay link went to them by e-mail)."""
    from billing.subscriptions.models import TenantSubscription

    suspended = TenantSubscription.objects.filter(
        tenant_id=tenant.pk, suspended_for_nonpayment_at__isnull=False
    ).exists()
    if not suspended:
        return None
    return _(
        "The payment for this portal's plan is overdue. Administrators: the e-mail about it "
        "has a link to pay without signing in; the portal opens again as soon as the payment "
        "arrives."
    )


def register() -> None:
    from billing.subscriptions.limits import LIMIT_SOURCE, new_tenant_plan_problem
    from shared_apps.tenants.hooks import plan_code_checker_register, suspension_explainer_register

    limit_source_register(LIMIT_SOURCE)
    plan_code_checker_register(new_tenant_plan_problem)
    suspension_explainer_register(suspension_for_payment)
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
    admin_banner_register(billing_banners)

    from billing.subscriptions.operator_views import tenant_plan_section
    from shared_apps.operators.hooks import (
        ConsoleLink,
        console_link_register,
        tenant_section_register,
    )

    console_link_register(ConsoleLink(gettext_lazy("Billing"), "operator-billing", order=10))
    tenant_section_register(tenant_plan_section)
