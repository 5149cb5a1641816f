"""The audit log page (`/manage/audit/`): the selector and permission of the audit API
(`VIEW_AUDIT_LOG`), filtered by actor, action, target type and days, times shown in the
viewer's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from core.pages import page_of, page_requires, query_without_page
from tenant_apps.audit import selectors
from tenant_apps.audit.models import AuditAction
from tenant_apps.people.permissions import Capability, user_can

ENTRIES_PER_PAGE = 50


def may_read_audit_log(user) -> bool:
    return user_can(user, Capability.VIEW_AUDIT_LOG)


class AuditFilterForm(PortalForm):
    actor = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("Action"), required=False)
    target_type = forms.ChoiceField(label=_("About"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actors: list[tuple[int, str]], target_types: list[str], **kw):
        super().__init__(*args, **kw)
        self.fields["actor"].choices = [("", _("Anyone")), *actors]
        self.fields["action"].choices = [("", _("Any action")), *AuditAction.choices]
        self.fields["target_type"].choices = [
            ("", _("Anything")),
            *((kind, kind) for kind in target_types),
        ]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("Choose a day on or after the first day."))
        return cleaned


def _day_start(day: date) -> datetime:
    """The start of `day` in the viewer's time zone (activated for their request)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@page_requires(may_read_audit_log)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(
        request.GET or None,
        actors=selectors.audit_actors(),
        target_types=selectors.audit_target_types(),
    )
    valid = form.is_bound and form.is_valid()
    filters = form.cleaned_data if valid else {}
    since, until = filters.get("since"), filters.get("until")
    entries = selectors.audit_entry_list(
        actor_id=filters.get("actor"),
        action=filters.get("action") or None,
        target_type=filters.get("target_type") or None,
        since=_day_start(since) if since else None,
        until=_day_start(until + timedelta(days=1)) if until else None,
    )
    page = page_of(request, entries, ENTRIES_PER_PAGE)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "zone": timezone.get_current_timezone_name(),
    }
    return render(
        request, "audit/audit_log.html", context, status=400 if form.is_bound and not valid else 200
    )
