from enum import StrEnum


class TenantErrorCode(StrEnum):
    INVALID = "invalid"
    SLUG_INVALID = "slug_invalid"
    SLUG_RESERVED = "slug_reserved"
    SLUG_TAKEN = "slug_taken"
    DOMAIN_INVALID = "domain_invalid"
    DOMAIN_TAKEN = "domain_taken"
    DOMAIN_PRIMARY = "domain_primary"
    DOMAIN_NOT_FOUND = "domain_not_found"
    TENANT_NOT_FOUND = "tenant_not_found"
    INVALID_TRANSITION = "invalid_transition"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    TEMPLATE_MISSING = "template_missing"
