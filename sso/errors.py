"""Why single sign-on refused: each code has a plain-words message the login page and the
test-connection trace show."""

from __future__ import annotations

from enum import StrEnum

from core.errors import ApplicationError


class SsoErrorCode(StrEnum):
    PROVIDER_NOT_FOUND = "sso_provider_not_found"
    PROVIDER_DISABLED = "sso_provider_disabled"
    PROVIDER_INVALID = "sso_provider_invalid"
    METADATA_INVALID = "sso_metadata_invalid"
    METADATA_UNREACHABLE = "sso_metadata_unreachable"
    RESPONSE_INVALID = "sso_response_invalid"
    SIGNATURE_INVALID = "sso_signature_invalid"
    ISSUER_UNKNOWN = "sso_issuer_unknown"
    AUDIENCE_WRONG = "sso_audience_wrong"
    DESTINATION_WRONG = "sso_destination_wrong"
    CLOCK = "sso_clock"
    REPLAYED = "sso_replayed"
    REQUEST_UNKNOWN = "sso_request_unknown"
    STATE_MISMATCH = "sso_state_mismatch"
    NONCE_MISMATCH = "sso_nonce_mismatch"
    TOKEN_INVALID = "sso_token_invalid"
    ATTRIBUTE_MISSING = "sso_attribute_missing"
    PERSON_DEACTIVATED = "sso_person_deactivated"
    PERSON_UNKNOWN = "sso_person_unknown"
    EMAIL_TAKEN = "sso_email_taken"
    IDP_INITIATED_OFF = "sso_idp_initiated_off"
    POLICY_INVALID = "sso_policy_invalid"
    KEY_INVALID = "sso_key_invalid"
    RELAY_STATE_OFF_HOST = "sso_relay_state_off_host"


class SsoRefused(ApplicationError):
    """A sign-in through a provider that must not go through; `message` says why in words a
    tenant admin can act on (it is shown in the trace and, shortened, on the login page)."""

    def __init__(self, code: SsoErrorCode, message: str, status: int = 403) -> None:
        super().__init__(code=code, message=message, status=status)
