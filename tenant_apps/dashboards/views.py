"""The learner's home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pages import page_requires, signed_in
from tenant_apps.dashboards import selectors

IN_PROGRESS_SHOWN = 12


@page_requires(signed_in)
def home(request: HttpRequest) -> HttpResponse:
    """`/`: continue where you left off, what is due soon, progress per active course."""
    home_page = selectors.learner_home(user=request.user)
    return render(
        request,
        "dashboards/home.html",
        {
            "tenant": request.tenant,
            "home": home_page,
            "in_progress": home_page.in_progress[:IN_PROGRESS_SHOWN],
            "more_in_progress": len(home_page.in_progress) > IN_PROGRESS_SHOWN,
        },
    )
