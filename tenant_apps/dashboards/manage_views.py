"""The tenant admin's dashboard (`/manage/`): the figures of the admin dashboard API (same
selector, same permission), drawn as charts by a static script, each with a table."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.pages import page_requires
from tenant_apps.dashboards import selectors
from tenant_apps.dashboards.panels import Board, dashboard_panels_for
from tenant_apps.people.permissions import Capability, user_can

DAYS = 30


def may_see_admin_dashboard(user) -> bool:
    return user_can(user, Capability.VIEW_ALL_ANALYTICS)


def _role_labels() -> dict[str, str]:
    return {
        "admin": _("Tenant admins"),
        "instructor": _("Instructors"),
        "content_creator": _("Content creators"),
        "learner": _("Learners"),
    }


def _status_labels() -> dict[str, str]:
    return {
        "pending": _("Pending payment"),
        "active": _("Active"),
        "completed": _("Completed"),
        "cancelled": _("Cancelled"),
    }


@page_requires(may_see_admin_dashboard)
def admin_dashboard(request: HttpRequest) -> HttpResponse:
    dashboard = selectors.admin_dashboard(days=DAYS)
    roles = _role_labels()
    statuses = _status_labels()
    people_rows = [
        (roles.get(role, role), counts["active"], counts["inactive"])
        for role, counts in dashboard.users_by_role.items()
    ]
    status_rows = [
        (statuses.get(status, status), count)
        for status, count in dashboard.enrollments_by_status.items()
    ]
    day_rows = [
        (day, enrolled, completed)
        for (day, enrolled), (_day, completed) in zip(
            dashboard.enrollments_by_day, dashboard.completions_by_day, strict=True
        )
    ]
    charts = {
        "people": {
            "labels": [row[0] for row in people_rows],
            "series": [
                {"label": _("Active"), "values": [row[1] for row in people_rows]},
                {"label": _("Deactivated"), "values": [row[2] for row in people_rows]},
            ],
        },
        "statuses": {
            "labels": [row[0] for row in status_rows],
            "series": [{"label": _("Enrollments"), "values": [row[1] for row in status_rows]}],
        },
        "days": {
            "labels": [day.isoformat() for day, *_counts in day_rows],
            "series": [
                {"label": _("New enrollments"), "values": [row[1] for row in day_rows]},
                {"label": _("Completions"), "values": [row[2] for row in day_rows]},
            ],
        },
    }
    enrollments = dashboard.enrollments_by_status
    return render(
        request,
        "dashboards/manage/dashboard.html",
        {
            "dashboard": dashboard,
            "days": DAYS,
            "people_rows": people_rows,
            "status_rows": status_rows,
            "day_rows": day_rows,
            "charts": charts,
            "enrollments_live": sum(
                enrollments.get(status, 0) for status in ("pending", "active", "completed")
            ),
            "completions_in_window": sum(count for _day, count in dashboard.completions_by_day),
            "panels": dashboard_panels_for(request, Board.ADMIN),
        },
    )
