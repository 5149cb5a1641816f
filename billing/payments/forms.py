"""The learner's checkout form: which connected provider, and a coupon code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BuyForm(forms.Form):
    provider = forms.ChoiceField(label=_("Pay with"), widget=forms.RadioSelect)
    coupon_code = forms.CharField(
        label=_("Coupon code (optional)"), max_length=40, required=False, strip=True
    )

    def __init__(self, *args, providers: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = providers
        if len(providers) == 1:
            self.fields["provider"].initial = providers[0][0]
