"""Authors' pages of dashboards (`/teach/`): the courses one may edit, and one course's
analytics (charts drawn by a static script from `json_script` data, each with a table of
the same numbers)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.pages import page_of, page_requires
from tenant_apps.courses.selectors import course_get
from tenant_apps.dashboards import selectors
from tenant_apps.dashboards.panels import Board, dashboard_panels_for
from tenant_apps.people.permissions import Capability, user_can, user_can_view_course_analytics

ANALYTICS_DAYS = 30


def may_edit_courses(user) -> bool:
    return user_can(user, Capability.EDIT_OWN_COURSES) or user_can(
        user, Capability.EDIT_ALL_COURSES
    )


def may_view_analytics(user) -> bool:
    return user_can(user, Capability.VIEW_OWN_ANALYTICS) or user_can(
        user, Capability.VIEW_ALL_ANALYTICS
    )


@page_requires(may_edit_courses)
def teach_courses(request: HttpRequest) -> HttpResponse:
    """My courses: those one may edit, with their status, enrollments and last change."""
    page = page_of(request, selectors.courses_to_edit(user=request.user), per_page=25)
    return render(
        request,
        "dashboards/teach_courses.html",
        {
            "page": page,
            "may_create": user_can(request.user, Capability.CREATE_COURSES),
            "may_view_analytics": may_view_analytics(request.user),
            "shows_all": user_can(request.user, Capability.EDIT_ALL_COURSES),
            "analytics_all": user_can(request.user, Capability.VIEW_ALL_ANALYTICS),
            "panels": dashboard_panels_for(request, Board.TEACH),
        },
    )


FUNNEL_LABELS = {
    "enrolled": gettext_lazy("Enrolled"),
    "active": gettext_lazy("Has access (active or completed)"),
    "started": gettext_lazy("Started a lesson"),
    "completed": gettext_lazy("Completed"),
}


@page_requires(may_view_analytics)
def course_analytics(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get(user=request.user, course_id=course_id)
    if not user_can_view_course_analytics(request.user, owner_id=course.owner_id):
        raise PermissionDenied
    figures = selectors.course_analytics(course=course, days=ANALYTICS_DAYS)
    funnel = [
        {"label": str(FUNNEL_LABELS[step.key]), "count": step.count} for step in figures.funnel
    ]
    charts = {
        "enrollments": {
            "labels": [day.day.isoformat() for day in figures.enrollments_by_day],
            "values": [day.count for day in figures.enrollments_by_day],
            "label": _("New enrollments"),
        },
        "funnel": {
            "labels": [step["label"] for step in funnel],
            "values": [step["count"] for step in funnel],
            "label": _("Learners"),
        },
        "quiz_scores": {
            "labels": [quiz.title for quiz in figures.quiz_scores],
            "values": [quiz.average_percent for quiz in figures.quiz_scores],
            "label": _("Average score (%)"),
        },
        "lessons": {
            "labels": [lesson.title for lesson in figures.lessons],
            "values": [lesson.started for lesson in figures.lessons],
            "completed": [lesson.completed for lesson in figures.lessons],
            "label": _("Started"),
            "completed_label": _("Completed"),
        },
    }
    return render(
        request,
        "dashboards/teach_analytics.html",
        {
            "course": course,
            "figures": figures,
            "funnel": funnel,
            "charts": charts,
            "days": ANALYTICS_DAYS,
        },
    )
