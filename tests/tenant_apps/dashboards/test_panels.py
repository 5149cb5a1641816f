"""The dashboards' panel registry: panels of a board in their order, left out when their
context says so, registered once by name."""

from __future__ import annotations

from types import SimpleNamespace

from tenant_apps.dashboards import panels
from tenant_apps.dashboards.panels import Board, DashboardPanel, dashboard_panel_register


def test_panels_are_listed_by_board_and_order_and_skipped_when_not_for_this_person(
    monkeypatch,
):
    monkeypatch.setattr(panels, "_panels", [])
    request = SimpleNamespace(user=SimpleNamespace(name="ada"))
    dashboard_panel_register(
        DashboardPanel("second", Board.ADMIN, "b.html", lambda r: {"who": r.user.name}, order=20)
    )
    dashboard_panel_register(DashboardPanel("first", Board.ADMIN, "a.html", lambda r: {}, order=5))
    dashboard_panel_register(DashboardPanel("hidden", Board.ADMIN, "h.html", lambda r: None))
    dashboard_panel_register(DashboardPanel("teach", Board.TEACH, "t.html", lambda r: {}))
    # The same name again changes nothing.
    dashboard_panel_register(DashboardPanel("first", Board.ADMIN, "other.html", lambda r: {}))

    shown = panels.dashboard_panels_for(request, Board.ADMIN)
    assert [(panel.name, panel.template, panel.context) for panel in shown] == [
        ("first", "a.html", {}),
        ("second", "b.html", {"who": "ada"}),
    ]
    assert [panel.name for panel in panels.dashboard_panels_for(request, Board.TEACH)] == ["teach"]
