"""A tenant's provider accounts (keys sealed, never shown again) and payment settings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from billing.payments.errors import PaymentErrorCode
from billing.payments.models import PaymentAccount, PaymentSettings, Provider
from core.errors import FieldError, NotFound, ValidationFailed
from core.secret_box import secret_open, secret_seal
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.people.models import User

_STRIPE_KEY = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9]{8,250}$")
_STRIPE_WEBHOOK_SECRET = re.compile(r"^whsec_[A-Za-z0-9+/=]{8,250}$")
_RAZORPAY_KEY_ID = re.compile(r"^rzp_(test|live)_[A-Za-z0-9]{6,60}$")
_PLAIN_SECRET = re.compile(r"^[\x21-\x7e]{8,250}$")


@dataclass(frozen=True)
class ProviderKeys:
    """An account's keys, opened for one call to the provider."""

    provider: str
    key_id: str
    key_secret: str
    webhook_secret: str


def _check_keys(provider: str, key_id: str, key_secret: str, webhook_secret: str) -> str:
    """The key id to store (Stripe: the secret key's visible prefix); a 400 naming fields."""
    errors: list[FieldError] = []
    if provider == Provider.STRIPE:
        if not _STRIPE_KEY.match(key_secret or ""):
            errors.append(
                FieldError("key_secret", _("Paste a Stripe secret key (sk_test_… or sk_live_…)."))
            )
        if not _STRIPE_WEBHOOK_SECRET.match(webhook_secret or ""):
            errors.append(
                FieldError("webhook_secret", _("Paste the endpoint's signing secret (whsec_…)."))
            )
        stored_id = (key_secret or "")[:8]
    else:
        if not _RAZORPAY_KEY_ID.match(key_id or ""):
            errors.append(
                FieldError("key_id", _("Paste a Razorpay key id (rzp_test_… or rzp_live_…)."))
            )
        if not _PLAIN_SECRET.match(key_secret or ""):
            errors.append(FieldError("key_secret", _("Paste the Razorpay key secret.")))
        if not _PLAIN_SECRET.match(webhook_secret or ""):
            errors.append(
                FieldError("webhook_secret", _("Use a webhook secret of 8 characters or more."))
            )
        stored_id = key_id or ""
    if errors:
        raise ValidationFailed(
            PaymentErrorCode.ACCOUNT_INVALID, _("The provider keys are invalid."), errors
        )
    return stored_id


@transaction.atomic
def payment_account_save(
    *, provider: str, key_id: str = "", key_secret: str, webhook_secret: str, actor: User | None
) -> PaymentAccount:
    """Connect (or re-key) the tenant's account with `provider`; audited without secrets."""
    if provider not in Provider.values:
        raise ValidationFailed(
            PaymentErrorCode.ACCOUNT_INVALID,
            _("The provider keys are invalid."),
            [FieldError("provider", _("Use stripe or razorpay."))],
        )
    stored_id = _check_keys(provider, key_id, key_secret, webhook_secret)
    account, created = PaymentAccount.objects.select_for_update().get_or_create(
        provider=provider,
        defaults={
            "key_id": stored_id,
            "key_secret_sealed": secret_seal(key_secret),
            "webhook_secret_sealed": secret_seal(webhook_secret),
        },
    )
    before = {} if created else {"key_id": account.key_id, "enabled": account.enabled}
    if not created:
        account.key_id = stored_id
        account.key_secret_sealed = secret_seal(key_secret)
        account.webhook_secret_sealed = secret_seal(webhook_secret)
        account.enabled = True
        account.save()
    audit_record(
        action=AuditAction.PAYMENT_ACCOUNT_SAVED,
        actor=actor,
        target=account,
        before=before,
        after={"key_id": account.key_id, "live": account.is_live, "enabled": True},
    )
    return account


@transaction.atomic
def payment_account_remove(*, provider: str, actor: User | None) -> None:
    account = PaymentAccount.objects.select_for_update().filter(provider=provider).first()
    if account is None:
        raise NotFound(PaymentErrorCode.ACCOUNT_NOT_FOUND, _("That provider is not connected."))
    audit_record(
        action=AuditAction.PAYMENT_ACCOUNT_REMOVED,
        actor=actor,
        target=account,
        before={"key_id": account.key_id},
    )
    account.delete()


def provider_keys(provider: str) -> ProviderKeys | None:
    """The enabled account's opened keys, or None when `provider` is not connected."""
    account = PaymentAccount.objects.filter(provider=provider, enabled=True).first()
    if account is None:
        return None
    return ProviderKeys(
        provider=provider,
        key_id=account.key_id,
        key_secret=secret_open(account.key_secret_sealed),
        webhook_secret=secret_open(account.webhook_secret_sealed),
    )


def payment_settings_get() -> PaymentSettings:
    settings_row, _created = PaymentSettings.objects.get_or_create(pk=1)
    return settings_row


@transaction.atomic
def payment_settings_update(
    *,
    actor: User | None,
    prices_include_tax: bool | None = None,
    tax_label: str | None = None,
    pending_timeout_minutes: int | None = None,
) -> PaymentSettings:
    row = payment_settings_get()
    row = PaymentSettings.objects.select_for_update().get(pk=row.pk)
    before = {
        "prices_include_tax": row.prices_include_tax,
        "tax_label": row.tax_label,
        "pending_timeout_minutes": row.pending_timeout_minutes,
    }
    errors: list[FieldError] = []
    if prices_include_tax is not None:
        if not isinstance(prices_include_tax, bool):
            errors.append(FieldError("prices_include_tax", _("Use true or false.")))
        row.prices_include_tax = prices_include_tax
    if tax_label is not None:
        if not isinstance(tax_label, str) or len(tax_label.strip()) > 40:
            errors.append(FieldError("tax_label", _("Use at most 40 characters.")))
        else:
            row.tax_label = tax_label.strip()
    if pending_timeout_minutes is not None:
        if (
            isinstance(pending_timeout_minutes, bool)
            or not isinstance(pending_timeout_minutes, int)
            or not 5 <= pending_timeout_minutes <= 7 * 24 * 60
        ):
            errors.append(
                FieldError(
                    "pending_timeout_minutes", _("Use a whole number of minutes, 5 to 10080.")
                )
            )
        else:
            row.pending_timeout_minutes = pending_timeout_minutes
    if errors:
        raise ValidationFailed(
            PaymentErrorCode.SETTINGS_INVALID, _("The payment settings are invalid."), errors
        )
    row.save()
    after = {
        "prices_include_tax": row.prices_include_tax,
        "tax_label": row.tax_label,
        "pending_timeout_minutes": row.pending_timeout_minutes,
    }
    audit_record(
        action=AuditAction.PAYMENT_SETTINGS_CHANGED,
        actor=actor,
        target=row,
        before=before,
        after=after,
        label="payment settings",
    )
    return row
