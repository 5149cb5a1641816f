"""Extension points of the course player: an app that owns a kind of lesson's content
(assessments: the quiz of a quiz lesson) registers what the player shows for it, so this
app never imports that app.

    class AssessmentsConfig(AppConfig):
        def ready(self) -> None:
            from tenant_apps.progress.hooks import lesson_panel_register
            lesson_panel_register("quiz", quiz_panel)

A panel is called with the request and the player page (`progress.selectors.PlayerPage`)
and returns the template to include and its context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from tenant_apps.progress.selectors import PlayerPage


@dataclass(frozen=True)
class LessonPanel:
    template_name: str
    context: dict[str, Any]


LessonPanelMaker = Callable[["HttpRequest", "PlayerPage"], LessonPanel]

_panels: dict[str, LessonPanelMaker] = {}


def lesson_panel_register(kind: str, maker: LessonPanelMaker) -> None:
    """Show `maker`'s panel for lessons of `kind` in the player (replacing any other)."""
    _panels[kind] = maker


def lesson_panel_for(request: HttpRequest, player: PlayerPage) -> LessonPanel | None:
    maker = _panels.get(player.lesson.kind)
    return maker(request, player) if maker else None
