from enum import StrEnum


class CertificateErrorCode(StrEnum):
    CERTIFICATE_NOT_FOUND = "certificate_not_found"
    ENROLLMENT_NOT_COMPLETED = "enrollment_not_completed"
    ALREADY_REVOKED = "already_revoked"
    CERTIFICATE_REVOKED = "certificate_revoked"
    INVALID_REASON = "invalid_reason"
