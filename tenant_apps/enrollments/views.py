"""The learner's enrollments page: "My learning"."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.vary import vary_on_headers

from core.pages import page_of, page_requires, partial_wanted, signed_in
from tenant_apps.enrollments import selectors

PER_PAGE = 20


def _group_labels() -> dict[str, str]:
    return {
        "in-progress": _("In progress"),
        "not-started": _("Not started"),
        "pending": _("Waiting for activation"),
        "completed": _("Completed"),
        "cancelled": _("Cancelled"),
    }


class MyLearningForm(forms.Form):
    """The group asked for; anything else means the default group."""

    status = forms.ChoiceField(
        label=gettext_lazy("Group"),
        required=False,
        choices=[(group, group) for group in selectors.LEARNING_GROUPS],
    )


@vary_on_headers("HX-Request")
@page_requires(signed_in)
def my_learning(request: HttpRequest) -> HttpResponse:
    """`/learning/`: one's own enrollments, one group (by status) at a time with a count of
    each, 20 a page, with progress and due dates (what the API's `me/enrollments` lists)."""
    form = MyLearningForm(request.GET)
    asked = form.cleaned_data["status"] if form.is_valid() else ""
    learning = selectors.my_learning(user=request.user, group=asked)
    labels = _group_labels()
    context = {
        "groups": [
            (group, labels[group], learning.counts[group]) for group in selectors.LEARNING_GROUPS
        ],
        "group": learning.group,
        "group_label": labels.get(learning.group, ""),
        "page": page_of(request, learning.enrollments, PER_PAGE),
        "query": f"status={learning.group}",
    }
    if partial_wanted(request, "learning-region") and learning.group:
        return render(request, "enrollments/_my_learning_region.html", context)
    return render(request, "enrollments/my_learning.html", context)
