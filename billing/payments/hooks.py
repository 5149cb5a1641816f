"""How course payments plug into the portal, registered once from PaymentsConfig.ready()
through `register()`: the admin menu's "Payments" entry (core.navigation) and the revenue
overview on the admin dashboard and the authors' "My courses" page
(tenant_apps.dashboards.panels)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from billing.payments.permissions import may_manage_payments
from billing.payments.selectors_revenue import revenue_by_course, revenue_lines
from core.navigation import Area, NavEntry, nav_entry_register
from tenant_apps.dashboards.panels import Board, DashboardPanel, dashboard_panel_register
from tenant_apps.people.permissions import Capability, user_can

REVENUE_PERIODS = (7, 30, 90, 365)
REVENUE_DEFAULT_DAYS = 30


def _period_days(request) -> int:
    asked = request.GET.get("revenue_days", "")
    return int(asked) if asked.isdigit() and int(asked) in REVENUE_PERIODS else REVENUE_DEFAULT_DAYS


def admin_revenue(request) -> dict[str, Any] | None:
    """Gross, refunds and net per currency: for those who may manage payments."""
    if not may_manage_payments(request.user):
        return None
    days = _period_days(request)
    return {
        "days": days,
        "periods": REVENUE_PERIODS,
        "lines": revenue_lines(since=timezone.now() - timedelta(days=days)),
        "payments_url_name": "manage-payments",
    }


def teach_revenue(request) -> dict[str, Any] | None:
    """The same per course, for an author's own courses; left out when they have none
    that took money in the period."""
    if not user_can(request.user, Capability.VIEW_OWN_ANALYTICS):
        return None
    days = _period_days(request)
    courses = revenue_by_course(
        since=timezone.now() - timedelta(days=days), owner_id=request.user.pk
    )
    if not courses and "revenue_days" not in request.GET:
        return None
    return {"days": days, "periods": REVENUE_PERIODS, "courses": courses}


def register() -> None:
    nav_entry_register(
        NavEntry(
            Area.ADMIN,
            gettext_lazy("Payments"),
            "manage-payments",
            may_manage_payments,
            order=70,
            also_current=("manage-payment",),
        )
    )
    dashboard_panel_register(
        DashboardPanel(
            "payments-revenue",
            Board.ADMIN,
            "payments/panels/revenue_admin.html",
            admin_revenue,
            order=10,
        )
    )
    dashboard_panel_register(
        DashboardPanel(
            "payments-revenue-by-course",
            Board.TEACH,
            "payments/panels/revenue_teach.html",
            teach_revenue,
            order=10,
        )
    )
