"""Plans (operators), changing a tenant's plan (operators), and starting a checkout or the
customer portal (tenant admins)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.subscriptions import stripe_gateway
from billing.subscriptions.errors import BillingErrorCode
from billing.subscriptions.models import PLAN_EDITABLE_FIELDS, Interval, Plan
from billing.subscriptions.services.transitions import change_log, tenant_plan_set
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.money import MoneyError, currency_clean
from shared_apps.tenants.models import Tenant


def plan_get(*, code: str) -> Plan:
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise NotFound(
            BillingErrorCode.PLAN_NOT_FOUND, _("There is no plan '%(code)s'.") % {"code": code}
        )
    return plan


def _plan_values_check(values: dict[str, Any]) -> None:
    errors = []
    if "name" in values and not str(values["name"] or "").strip():
        errors.append(FieldError("name", _("Enter the plan's name.")))
    if "currency" in values:
        try:
            values["currency"] = currency_clean(values["currency"])
        except MoneyError as exc:
            errors.append(FieldError("currency", str(exc)))
    for name in (
        "max_active_learners",
        "max_courses",
        "max_storage_bytes",
        "max_webhook_endpoints",
        "price_month",
        "price_year",
        "trial_days",
        "sort_order",
    ):
        value = values.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.append(FieldError(name, _("Enter a whole number, 0 or more.")))
    if errors:
        raise ValidationFailed(BillingErrorCode.INVALID, _("The plan has invalid fields."), errors)


@transaction.atomic
def plan_create(*, code: str, **values: Any) -> Plan:
    code = (code or "").strip().lower()
    if not code or not code.replace("-", "").replace("_", "").isalnum() or len(code) > 64:
        raise ValidationFailed(
            BillingErrorCode.INVALID,
            _("The plan has invalid fields."),
            [FieldError("code", _("Use lower-case letters, digits and hyphens."))],
        )
    values = {key: value for key, value in values.items() if key in PLAN_EDITABLE_FIELDS}
    _plan_values_check(values)
    try:
        with transaction.atomic():
            return Plan.objects.create(code=code, **values)
    except IntegrityError as exc:
        raise Conflict(
            BillingErrorCode.PLAN_CODE_TAKEN,
            _("A plan '%(code)s' exists already.") % {"code": code},
            [FieldError("code", _("Choose another code."))],
        ) from exc


@transaction.atomic
def plan_update(*, plan: Plan, **changes: Any) -> Plan:
    """Change a plan's name, limits or prices. A price change applies to new checkouts
    (Stripe prices cannot change: a new one is made on next use)."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    changes = {key: value for key, value in changes.items() if key in PLAN_EDITABLE_FIELDS}
    _plan_values_check(changes)
    if "currency" in changes and changes["currency"] != locked.currency:
        locked.stripe_price_month_id = locked.stripe_price_year_id = ""
    if "price_month" in changes and changes["price_month"] != locked.price_month:
        locked.stripe_price_month_id = ""
    if "price_year" in changes and changes["price_year"] != locked.price_year:
        locked.stripe_price_year_id = ""
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    locked.save()
    return locked


@transaction.atomic
def plan_archive(*, plan: Plan) -> Plan:
    """Offer the plan no more; tenants on it keep it."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if locked.archived_at is None:
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at", "updated_at"])
    return locked


@transaction.atomic
def tenant_plan_change(*, tenant: Tenant, plan_code: str, operator_email: str) -> Tenant:
    """An operator moves a tenant onto a plan (a contract outside Stripe, a courtesy)."""
    plan = plan_get(code=plan_code)
    tenant_plan_set(tenant=tenant, plan_code=plan.code, reason=f"operator {operator_email}")
    return Tenant.objects.get(pk=tenant.pk)


def _offered(plan_code: str, interval: str) -> Plan:
    plan = Plan.objects.filter(code=plan_code, is_public=True, archived_at__isnull=True).first()
    if plan is None:
        raise ValidationFailed(
            BillingErrorCode.PLAN_NOT_OFFERED,
            _("Choose one of the plans offered."),
            [FieldError("plan", _("Choose one of the plans offered."))],
        )
    if interval not in Interval.values or plan.price_for(interval) is None:
        raise ValidationFailed(
            BillingErrorCode.PLAN_NOT_OFFERED,
            _("This plan is not sold at that interval."),
            [FieldError("interval", _("Choose monthly or yearly, as the plan offers."))],
        )
    return plan


def checkout_start(
    *, tenant: Tenant, plan_code: str, interval: str, success_url: str, cancel_url: str
) -> str:
    """The Stripe Checkout address where the tenant's admin subscribes to `plan_code`."""
    plan = _offered(plan_code, interval)
    url = stripe_gateway.checkout_session_url(
        tenant=tenant, plan=plan, interval=interval, success_url=success_url, cancel_url=cancel_url
    )
    with transaction.atomic():
        change_log(
            tenant=tenant,
            kind="checkout",
            before=tenant.plan_code,
            after=plan.code,
            reason=interval,
        )
    return url


def billing_portal_start(*, tenant: Tenant, return_url: str) -> str:
    """The Stripe customer portal, where the admin manages cards and invoices."""
    return stripe_gateway.portal_session_url(tenant=tenant, return_url=return_url)
