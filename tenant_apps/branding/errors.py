from enum import StrEnum


class BrandingErrorCode(StrEnum):
    LOGO_INVALID = "logo_invalid"
    IMAGE_INVALID = "image_invalid"
    COLOUR_CONTRAST_TOO_LOW = "colour_contrast_too_low"
    BRANDING_INVALID = "branding_invalid"
    DOMAIN_INVALID = "domain_invalid"
    DOMAIN_TAKEN = "domain_taken"
    DOMAIN_NOT_FOUND = "domain_not_found"
