from enum import Enum


class BillingErrorCode(Enum):
    PROVIDER_UNAVAILABLE = "billing_provider_unavailable"
    NOT_CONFIGURED = "billing_not_configured"
    PLAN_NOT_FOUND = "plan_not_found"
    PLAN_NOT_OFFERED = "plan_not_offered"
    PLAN_CODE_TAKEN = "plan_code_taken"
    INVALID = "invalid"
    NO_CUSTOMER = "billing_no_customer"
