"""The tenant admin's plan page form: which plan, paid how often."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.subscriptions.models import Interval
from core.forms import PortalForm


class UpgradeForm(PortalForm):
    plan = forms.ChoiceField(label=_("Plan"), widget=forms.RadioSelect)
    interval = forms.ChoiceField(
        label=_("Billed"),
        choices=Interval.choices,
        initial=Interval.MONTH,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, plans=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A plan with no price at either interval is arranged with the platform, not bought.
        self.fields["plan"].choices = [
            (plan.code, plan.name)
            for plan in plans
            if plan.price_month is not None or plan.price_year is not None
        ]
