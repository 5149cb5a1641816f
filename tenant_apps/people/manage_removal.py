"""The tenant admin's page on removing people (`/manage/people/removal/`): what happens
to a person an admin, the API or SCIM deletes — anonymised at once or after a number of
days. The same people service as the API's `settings/people` saves it and audits every
change."""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from core.forms import PortalForm
from core.pages import form_errors_show, page_requires
from tenant_apps.people import selectors as people_selectors
from tenant_apps.people import services as people
from tenant_apps.people.manage_views import may_manage_people
from tenant_apps.people.models import REMOVAL_RETENTION_DAYS_MAX, RemovalMode


class RemovalPolicyForm(PortalForm):
    removal_mode = forms.ChoiceField(
        label=gettext_lazy("When a person is deleted"),
        help_text=gettext_lazy(
            "They lose access at once either way. Anonymising replaces their name, e-mail "
            "and HR details; their courses, progress and certificates stay."
        ),
        choices=RemovalMode.choices,
        widget=forms.RadioSelect,
    )
    removal_retention_days = forms.IntegerField(
        label=gettext_lazy("Days to keep their details"),
        help_text=gettext_lazy("Used when anonymising after a number of days."),
        min_value=1,
        max_value=REMOVAL_RETENTION_DAYS_MAX,
    )


@page_requires(may_manage_people)
def removal_page(request: HttpRequest) -> HttpResponse:
    policy = people_selectors.people_policy_read()
    form = RemovalPolicyForm(
        request.POST or None,
        initial={
            "removal_mode": policy.removal_mode,
            "removal_retention_days": policy.removal_retention_days,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                people.people_policy_update(actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form_errors_show(form, error)
            else:
                flash.success(request, _("Saved what happens to deleted people."))
                return redirect("manage-people-removal")
        status = 400
    waiting = people_selectors.people_awaiting_anonymisation_count()
    return render(
        request, "people/manage/removal.html", {"form": form, "waiting": waiting}, status=status
    )
