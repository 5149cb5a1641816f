"""The learner's enrollments page: "My learning"."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.pages import page_requires, signed_in
from tenant_apps.enrollments import selectors


@page_requires(signed_in)
def my_learning(request: HttpRequest) -> HttpResponse:
    """`/learning/`: one's own enrollments by status, with progress and due dates (what the
    API's `me/enrollments` lists)."""
    learning = selectors.my_learning(user=request.user)
    groups = [
        ("in-progress", _("In progress"), learning.in_progress),
        ("not-started", _("Not started"), learning.not_started),
        ("pending", _("Waiting for activation"), learning.pending),
        ("completed", _("Completed"), learning.completed),
        ("cancelled", _("Cancelled"), learning.cancelled),
    ]
    return render(
        request,
        "enrollments/my_learning.html",
        {"groups": groups, "empty": not any(rows for _key, _label, rows in groups)},
    )
