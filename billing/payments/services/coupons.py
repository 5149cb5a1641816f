"""Coupons (discount codes): a percentage or a fixed amount in one currency, with an expiry,
a usage limit and optionally one course. Redemptions are counted under a row lock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.payments.errors import PaymentErrorCode
from billing.payments.models import Coupon, DiscountKind
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.money import CURRENCY_PATTERN, MAX_MINOR_AMOUNT, Money
from core.transactions import violated_constraint
from core.validation import is_whole_number
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.courses.models import Course
from tenant_apps.people.models import User

CODE_MAX = 40


def _invalid(errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed(PaymentErrorCode.COUPON_INVALID, _("The coupon is invalid."), errors)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    cleaned = dict(values)
    if "code" in values:
        code = values["code"].strip() if isinstance(values["code"], str) else ""
        if not code or len(code) > CODE_MAX or not code.replace("-", "").replace("_", "").isalnum():
            errors.append(
                FieldError("code", _("Use 1 to 40 letters, digits, hyphens or underscores."))
            )
        cleaned["code"] = code
    kind = values.get("kind")
    if "kind" in values and kind not in DiscountKind.values:
        errors.append(FieldError("kind", _("Use percent or amount.")))
    value = values.get("value")
    if "value" in values:
        if not is_whole_number(value):
            errors.append(FieldError("value", _("Use a whole number.")))
        elif kind == DiscountKind.PERCENT and not 1 <= value <= 100:
            errors.append(FieldError("value", _("Use a percentage from 1 to 100.")))
        elif kind == DiscountKind.AMOUNT and not 1 <= value <= MAX_MINOR_AMOUNT:
            errors.append(FieldError("value", _("Use an amount in minor units, 1 or more.")))
    currency = values.get("currency") or ""
    if kind == DiscountKind.AMOUNT and not (
        isinstance(currency, str) and CURRENCY_PATTERN.match(currency)
    ):
        errors.append(FieldError("currency", _("Use an ISO 4217 code such as EUR.")))
    if kind == DiscountKind.PERCENT:
        cleaned["currency"] = ""
    limit = values.get("usage_limit")
    if limit is not None and (not is_whole_number(limit) or limit < 1):
        errors.append(FieldError("usage_limit", _("Use a whole number of 1 or more, or null.")))
    expires_at = values.get("expires_at")
    if expires_at is not None and not isinstance(expires_at, datetime):
        errors.append(FieldError("expires_at", _("Use a date and time.")))
    if "active" in values and not isinstance(values["active"], bool):
        errors.append(FieldError("active", _("Use true or false.")))
    course_id = values.get("course_id")
    if course_id is not None and (
        not is_whole_number(course_id)
        or not 0 < course_id < 2**63
        or not Course.objects.filter(pk=course_id).exists()
    ):
        errors.append(FieldError("course_id", _("No such course.")))
    if errors:
        raise _invalid(errors)
    return cleaned


def _code_taken(code: str) -> Conflict:
    return Conflict(
        PaymentErrorCode.COUPON_CODE_TAKEN,
        _("Another coupon uses the code '%(code)s'.") % {"code": code},
        [FieldError("code", _("Choose another code."))],
    )


def _snapshot(coupon: Coupon) -> dict[str, Any]:
    return {
        "code": coupon.code,
        "kind": coupon.kind,
        "value": coupon.value,
        "currency": coupon.currency,
        "expires_at": coupon.expires_at,
        "usage_limit": coupon.usage_limit,
        "active": coupon.active,
        "course_id": coupon.course_id,
    }


def _save(coupon: Coupon) -> None:
    try:
        with transaction.atomic():
            coupon.save()
    except IntegrityError as exc:
        if violated_constraint(exc) == "coupon_code_ci_unique":
            raise _code_taken(coupon.code) from exc
        raise


@transaction.atomic
def coupon_create(
    *,
    actor: User | None,
    code: str,
    kind: str,
    value: int,
    currency: str = "",
    expires_at: datetime | None = None,
    usage_limit: int | None = None,
    active: bool = True,
    course_id: int | None = None,
) -> Coupon:
    values = _clean(
        {
            "code": code,
            "kind": kind,
            "value": value,
            "currency": currency,
            "expires_at": expires_at,
            "usage_limit": usage_limit,
            "active": active,
            "course_id": course_id,
        }
    )
    if Coupon.objects.filter(code__iexact=values["code"]).exists():
        raise _code_taken(values["code"])
    coupon = Coupon(**values)
    _save(coupon)
    audit_record(
        action=AuditAction.COUPON_CREATED, actor=actor, target=coupon, after=_snapshot(coupon)
    )
    return coupon


@transaction.atomic
def coupon_update(*, coupon: Coupon, actor: User | None, **changes: Any) -> Coupon:
    locked = Coupon.objects.select_for_update().get(pk=coupon.pk)
    before = _snapshot(locked)
    merged = {**before, **changes}
    values = _clean(merged)
    if Coupon.objects.filter(code__iexact=values["code"]).exclude(pk=locked.pk).exists():
        raise _code_taken(values["code"])
    for name, value in values.items():
        setattr(locked, name, value)
    _save(locked)
    audit_record(
        action=AuditAction.COUPON_CHANGED,
        actor=actor,
        target=locked,
        before=before,
        after=_snapshot(locked),
    )
    return locked


@transaction.atomic
def coupon_delete(*, coupon: Coupon, actor: User | None) -> None:
    audit_record(
        action=AuditAction.COUPON_DELETED, actor=actor, target=coupon, before=_snapshot(coupon)
    )
    coupon.delete()


def coupon_not_applicable() -> ValidationFailed:
    return ValidationFailed(
        PaymentErrorCode.COUPON_NOT_APPLICABLE,
        _("That coupon cannot be used for this course."),
        [
            FieldError(
                "coupon_code", _("This code is unknown, used up, expired or not for this course.")
            )
        ],
    )


def coupon_redeem(*, code: str, course: Course) -> tuple[Coupon, int]:
    """Lock the coupon named `code` (case-insensitive), check it applies to `course` now,
    count one redemption, and return it with the discount in the course's minor units.
    Call inside the transaction that records the payment."""
    coupon = Coupon.objects.select_for_update().filter(code__iexact=code.strip()).first()
    now = timezone.now()
    price = course.price
    if (
        coupon is None
        or not coupon.active
        or (coupon.expires_at is not None and coupon.expires_at <= now)
        or (coupon.usage_limit is not None and coupon.times_redeemed >= coupon.usage_limit)
        or (coupon.course_id is not None and coupon.course_id != course.pk)
        or (coupon.kind == DiscountKind.AMOUNT and coupon.currency != price.currency)
    ):
        raise coupon_not_applicable()
    discount = discount_for(coupon, price)
    coupon.times_redeemed += 1
    coupon.save(update_fields=["times_redeemed"])
    return coupon, discount


def discount_for(coupon: Coupon, price: Money) -> int:
    """The discount `coupon` gives on `price`, in minor units (never more than the price;
    a percentage rounds down to the minor unit, in the learner's favour never below 0)."""
    if coupon.kind == DiscountKind.PERCENT:
        return min(price.amount, price.amount * coupon.value // 100)
    return min(price.amount, coupon.value)


def coupon_release(coupon_id: int | None) -> None:
    """Give back a redemption of a payment attempt that never completed."""
    if coupon_id is None:
        return
    coupon = Coupon.objects.select_for_update().filter(pk=coupon_id).first()
    if coupon is not None and coupon.times_redeemed > 0:
        coupon.times_redeemed -= 1
        coupon.save(update_fields=["times_redeemed"])


def coupon_get(coupon_id: Any) -> Coupon:
    valid = is_whole_number(coupon_id) and 0 < coupon_id < 2**63
    coupon = Coupon.objects.filter(pk=coupon_id).first() if valid else None
    if coupon is None:
        raise NotFound(PaymentErrorCode.COUPON_NOT_FOUND, _("No such coupon."))
    return coupon
