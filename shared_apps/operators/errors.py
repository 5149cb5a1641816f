from enum import StrEnum


class OperatorErrorCode(StrEnum):
    INVALID_CREDENTIALS = "invalid_credentials"
    SIGN_IN_THROTTLED = "sign_in_throttled"
