from enum import StrEnum


class BrandingErrorCode(StrEnum):
    LOGO_INVALID = "logo_invalid"
