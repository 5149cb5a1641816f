"""What course payments refuse, each code with a message a person can act on."""

from __future__ import annotations

from enum import StrEnum


class PaymentErrorCode(StrEnum):
    ACCOUNT_INVALID = "payment_account_invalid"
    ACCOUNT_NOT_FOUND = "payment_account_not_found"
    PROVIDER_NOT_CONNECTED = "payment_provider_not_connected"
    PROVIDER_UNAVAILABLE = "payment_provider_unavailable"
    SETTINGS_INVALID = "payment_settings_invalid"
    COUPON_INVALID = "coupon_invalid"
    COUPON_NOT_FOUND = "coupon_not_found"
    COUPON_CODE_TAKEN = "coupon_code_taken"
    COUPON_NOT_APPLICABLE = "coupon_not_applicable"
    COURSE_IS_FREE = "course_is_free"
    PAYMENT_NOT_FOUND = "payment_not_found"
    CHECKOUT_IN_PROGRESS = "checkout_in_progress"
    ALREADY_PAID = "payment_already_made"
    SIGNATURE_INVALID = "payment_signature_invalid"
    REFUND_INVALID = "refund_invalid"
