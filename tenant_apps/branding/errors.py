from enum import StrEnum


class BrandingErrorCode(StrEnum):
    LOGO_INVALID = "logo_invalid"
    COLOUR_CONTRAST_TOO_LOW = "colour_contrast_too_low"
