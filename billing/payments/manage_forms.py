"""The tenant admin's payment forms. They check shape and turn what was typed (amounts in
major units, "49.90") into the values billing.payments.services take (integer minor units,
as the API sends); the services decide, and `core.pages.form_errors_show` puts each refusal
next to its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.payments.models import CoursePayment, DiscountKind, PaymentStatus, Provider
from core.forms import PortalForm
from core.money import Money, MoneyError, currency_clean

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
_SECRET_ATTRS = {"autocomplete": "off", "spellcheck": "false"}


class ProviderKeysForm(PortalForm):
    """Connect or replace a provider's keys. Secrets are typed afresh every time: the page
    never fills them in (nor shows them)."""

    key_id = forms.CharField(
        label=_("Key id"),
        max_length=100,
        help_text=_(
            "From Razorpay's dashboard: Account & Settings → API keys (rzp_test_… or rzp_live_…)."
        ),
        widget=forms.TextInput(attrs=_SECRET_ATTRS),
    )
    key_secret = forms.CharField(
        label=_("Secret key"),
        max_length=260,
        strip=True,
        widget=forms.PasswordInput(attrs=_SECRET_ATTRS, render_value=False),
    )
    webhook_secret = forms.CharField(
        label=_("Webhook signing secret"),
        max_length=260,
        strip=True,
        widget=forms.PasswordInput(attrs=_SECRET_ATTRS, render_value=False),
    )

    def __init__(self, data=None, *, provider: str, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.provider = provider
        if provider == Provider.STRIPE:
            del self.fields["key_id"]
            self.fields["key_secret"].help_text = _(
                "From Stripe's dashboard: Developers → API keys (sk_test_… or sk_live_…; a "
                "restricted key rk_… works too)."
            )
            self.fields["webhook_secret"].help_text = _(
                "Shown by Stripe when you add the webhook endpoint below (whsec_…)."
            )
        else:
            self.fields["key_secret"].label = _("Key secret")
            self.fields["key_secret"].help_text = _("Shown by Razorpay once, beside the key id.")
            self.fields["webhook_secret"].help_text = _(
                "The secret you choose when you add the webhook below in Razorpay's dashboard "
                "(8 characters or more)."
            )

    def values(self) -> dict[str, str]:
        return {
            "key_id": self.cleaned_data.get("key_id", ""),
            "key_secret": self.cleaned_data["key_secret"],
            "webhook_secret": self.cleaned_data["webhook_secret"],
        }


class PaymentSettingsForm(PortalForm):
    prices_include_tax = forms.BooleanField(label=_("Course prices include tax"), required=False)
    tax_label = forms.CharField(
        label=_("Tax label"),
        required=False,
        max_length=40,
        help_text=_("Shown beside prices, such as “incl. VAT” or “+ GST”. Leave empty for none."),
    )
    pending_timeout_minutes = forms.IntegerField(
        label=_("Minutes a payment may stay pending"),
        min_value=5,
        max_value=7 * 24 * 60,
        help_text=_(
            "An unfinished checkout fails after this long and its pending enrollment is "
            "cancelled (5 to 10080 minutes)."
        ),
    )

    def values(self) -> dict:
        return {
            "prices_include_tax": self.cleaned_data["prices_include_tax"],
            "tax_label": self.cleaned_data["tax_label"],
            "pending_timeout_minutes": self.cleaned_data["pending_timeout_minutes"],
        }


class CouponForm(PortalForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("What learners type at checkout: letters, digits, hyphens or underscores."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Discount"),
        choices=DiscountKind.choices,
        widget=forms.RadioSelect,
        initial=DiscountKind.PERCENT,
    )
    percent = forms.IntegerField(
        label=_("Percentage off"),
        required=False,
        help_text=_("For a percentage: 1 to 100."),
    )
    amount = forms.CharField(
        label=_("Amount off"),
        required=False,
        max_length=24,
        help_text=_("For a fixed amount, as on a price tag: 10, 9.90 or 1.250 (KWD)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.CharField(
        label=_("Currency of the amount"),
        required=False,
        max_length=3,
        help_text=_(
            "For a fixed amount: the ISO code, such as EUR, JPY or KWD. It applies only to "
            "courses priced in it."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 4}),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        input_formats=[DATETIME_INPUT],
        help_text=_("Leave empty for no expiry."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    usage_limit = forms.IntegerField(
        label=_("Usage limit"),
        required=False,
        help_text=_("How many purchases may use it in all. Leave empty for no limit."),
    )
    course = forms.TypedChoiceField(
        label=_("Only for the course"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, courses: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", _("Any paid course")), *courses]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == DiscountKind.PERCENT:
            if cleaned.get("percent") is None and "percent" not in self.errors:
                self.add_error("percent", _("Enter the percentage off, 1 to 100."))
        elif kind == DiscountKind.AMOUNT:
            try:
                currency = currency_clean(cleaned.get("currency") or "")
            except MoneyError as error:
                self.add_error("currency", str(error))
                return cleaned
            cleaned["currency"] = currency
            if not (cleaned.get("amount") or "").strip():
                self.add_error("amount", _("Enter the amount off, such as 10 or 9.90."))
                return cleaned
            try:
                cleaned["amount_minor"] = Money.from_major(cleaned["amount"], currency).amount
            except MoneyError as error:
                self.add_error("amount", str(error))
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        percent = data["kind"] == DiscountKind.PERCENT
        return {
            "code": data["code"],
            "kind": data["kind"],
            "value": data["percent"] if percent else data["amount_minor"],
            "currency": "" if percent else data["currency"],
            "expires_at": data["expires_at"],
            "usage_limit": data["usage_limit"],
            "course_id": data["course"],
        }

    def service_field_names(self) -> dict[str, str]:
        """The service's field names as this form calls them."""
        value = "percent" if self.cleaned_data.get("kind") == DiscountKind.PERCENT else "amount"
        return {"value": value, "course_id": "course"}


class PaymentFilterForm(PortalForm):
    status = forms.ChoiceField(label=_("Status"), required=False)
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    course = forms.TypedChoiceField(label=_("Course"), required=False, coerce=int, empty_value=None)
    learner = forms.CharField(
        label=_("Learner"),
        required=False,
        max_length=100,
        help_text=_("Part of a name or e-mail address."),
    )
    since = forms.DateField(
        label=_("Started from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=_("To (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, courses: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *PaymentStatus.choices]
        self.fields["provider"].choices = [("", _("Any provider")), *Provider.choices]
        self.fields["course"].choices = [("", _("Any course")), *courses]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("Choose a day on or after the first one."))
        return cleaned


class RefundForm(PortalForm):
    amount = forms.CharField(
        label=_("Amount to refund"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Kept in the audit log with the refund."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, payment: CoursePayment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.left = payment.refundable
        self.fields["amount"].help_text = _(
            "In %(currency)s, as on a price tag. Leave empty to refund all that is left: %(left)s."
        ) % {"currency": self.left.currency, "left": self.left.display()}

    def clean_amount(self) -> Money:
        text = (self.cleaned_data["amount"] or "").strip()
        if not text:
            return self.left
        try:
            money = Money.from_major(text, self.left.currency)
        except MoneyError as error:
            raise forms.ValidationError(str(error)) from None
        if not 1 <= money.amount <= self.left.amount:
            raise forms.ValidationError(
                _("Enter an amount more than zero and at most %(left)s."),
                params={"left": self.left.display()},
            )
        return money

    @property
    def is_full(self) -> bool:
        return self.cleaned_data["amount"].amount == self.left.amount
