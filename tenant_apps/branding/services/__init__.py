"""What the branding app offers: the branding (draft, published) and custom domains."""

from tenant_apps.branding.services.branding import (
    DRAFT_FOLDER,
    IMAGE_FIELDS,
    LOGO_RULE,
    branding_current,
    branding_draft_current,
    branding_draft_save,
    branding_has_unpublished_changes,
    branding_image_set,
    branding_logo_set,
    branding_publish,
    branding_shown,
    branding_update,
)
from tenant_apps.branding.services.domains import (
    custom_domain_add,
    custom_domain_remove,
    custom_domain_verify,
    custom_domains_recheck,
    verified_domains_recheck,
)

__all__ = [
    "DRAFT_FOLDER",
    "IMAGE_FIELDS",
    "LOGO_RULE",
    "branding_current",
    "branding_draft_current",
    "branding_draft_save",
    "branding_has_unpublished_changes",
    "branding_image_set",
    "branding_logo_set",
    "branding_publish",
    "branding_shown",
    "branding_update",
    "custom_domain_add",
    "custom_domain_remove",
    "custom_domain_verify",
    "custom_domains_recheck",
    "verified_domains_recheck",
]
