"""The operator console's billing forms: a plan, and a tenant's plan."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.subscriptions.models import Plan, SubscriptionStatus
from core.forms import PortalForm
from core.money import Money, MoneyError, currency_clean

GB = 1024**3

_LIMIT_HINT = _("Leave empty for unlimited.")


def _limit(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, help_text=_LIMIT_HINT)


class PlanForm(PortalForm):
    """Prices typed in major units ("49.00") and kept in minor units; storage in GB."""

    code = forms.SlugField(label=_("Code"), max_length=64, help_text=_("Fixed once made."))
    name = forms.CharField(label=_("Name"), max_length=100)
    sort_order = forms.IntegerField(label=_("Position in lists"), min_value=0, initial=100)
    max_active_learners = _limit(_("Active learners"))
    max_courses = _limit(_("Courses"))
    max_storage_gb = _limit(_("Storage (GB)"))
    max_webhook_endpoints = _limit(_("Webhook endpoints"))
    sso_allowed = forms.BooleanField(label=_("Single sign-on"), required=False)
    scim_allowed = forms.BooleanField(label=_("SCIM provisioning"), required=False)
    custom_domain_allowed = forms.BooleanField(label=_("Custom domains"), required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    price_month = forms.CharField(
        label=_("Monthly price"), required=False, help_text=_("Empty: not sold monthly.")
    )
    price_year = forms.CharField(
        label=_("Yearly price"), required=False, help_text=_("Empty: not sold yearly.")
    )
    trial_days = forms.IntegerField(label=_("Trial days"), min_value=0, initial=0)
    is_public = forms.BooleanField(label=_("Offered to tenants"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True

    def clean_currency(self) -> str:
        try:
            return currency_clean(self.cleaned_data["currency"])
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def _price(self, name: str) -> int | None:
        text = (self.cleaned_data.get(name) or "").strip()
        currency = self.cleaned_data.get("currency")
        if not text or not currency:
            return None
        try:
            return Money.from_major(text, currency).amount
        except MoneyError as exc:
            self.add_error(name, str(exc))
            return None

    def clean(self):
        cleaned = super().clean()
        cleaned["price_month_minor"] = self._price("price_month")
        cleaned["price_year_minor"] = self._price("price_year")
        return cleaned

    def service_values(self) -> dict:
        data = self.cleaned_data
        storage = data.get("max_storage_gb")
        return {
            "name": data["name"],
            "sort_order": data["sort_order"],
            "max_active_learners": data.get("max_active_learners"),
            "max_courses": data.get("max_courses"),
            "max_storage_bytes": None if storage is None else storage * GB,
            "max_webhook_endpoints": data.get("max_webhook_endpoints"),
            "sso_allowed": data["sso_allowed"],
            "scim_allowed": data["scim_allowed"],
            "custom_domain_allowed": data["custom_domain_allowed"],
            "currency": data["currency"],
            "price_month": data["price_month_minor"],
            "price_year": data["price_year_minor"],
            "trial_days": data["trial_days"],
            "is_public": data["is_public"],
        }

    @staticmethod
    def initial_of(plan: Plan) -> dict:
        def major(amount):
            return "" if amount is None else Money(amount, plan.currency).major_text()

        storage = plan.max_storage_bytes
        return {
            "code": plan.code,
            "name": plan.name,
            "sort_order": plan.sort_order,
            "max_active_learners": plan.max_active_learners,
            "max_courses": plan.max_courses,
            "max_storage_gb": None if storage is None else storage // GB,
            "max_webhook_endpoints": plan.max_webhook_endpoints,
            "sso_allowed": plan.sso_allowed,
            "scim_allowed": plan.scim_allowed,
            "custom_domain_allowed": plan.custom_domain_allowed,
            "currency": plan.currency,
            "price_month": major(plan.price_month),
            "price_year": major(plan.price_year),
            "trial_days": plan.trial_days,
            "is_public": plan.is_public,
        }


class TenantPlanForm(PortalForm):
    plan = forms.ChoiceField(label=_("Plan"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [
            (plan.code, plan.name + (" " + str(_("(archived)")) if plan.is_archived else ""))
            for plan in Plan.objects.all()
        ]


class SubscriptionFilterForm(PortalForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *SubscriptionStatus.choices],
    )
