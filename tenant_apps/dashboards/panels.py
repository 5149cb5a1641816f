"""Panels other apps add to the dashboards, registered from their `AppConfig.ready()`.

A wing (billing's revenue overview, say) shows figures on the admin dashboard or the
authors' "My courses" page without the dashboards knowing it: it registers a panel with a
template and a function that gives that template's context for the request, or None when
the person may not see it. Nothing here knows an app by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Board(StrEnum):
    ADMIN = "admin"  # the tenant admin's dashboard (/manage/)
    TEACH = "teach"  # the authors' "My courses" page (/teach/courses/)


@dataclass(frozen=True)
class DashboardPanel:
    name: str
    board: Board
    template: str
    # The template's context for this request, or None to leave the panel out.
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    name: str
    template: str
    context: dict[str, Any]


_panels: list[DashboardPanel] = []


def dashboard_panel_register(panel: DashboardPanel) -> None:
    """Add `panel`; registering a panel of the same name again has no effect."""
    if any(known.name == panel.name for known in _panels):
        return
    _panels.append(panel)
    _panels.sort(key=lambda known: (known.board, known.order, known.name))


def dashboard_panels_for(request, board: Board) -> list[ShownPanel]:
    """The panels of `board` this request's person may see, each with its context."""
    shown = []
    for panel in _panels:
        if panel.board != board:
            continue
        context = panel.context(request)
        if context is not None:
            shown.append(ShownPanel(panel.name, panel.template, context))
    return shown
