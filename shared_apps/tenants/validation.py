"""Rules for tenant slugs, names, plans and domain names."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.errors import FieldError, ValidationFailed
from shared_apps.tenants.errors import TenantErrorCode
from shared_apps.tenants.hooks import plan_code_problem

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
PLAN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def slug_problem(slug: str) -> tuple[TenantErrorCode, str] | None:
    if not SLUG_PATTERN.match(slug):
        return (
            TenantErrorCode.SLUG_INVALID,
            _(
                "Use 3 to 63 lowercase letters, digits or hyphens, starting and ending with a "
                "letter or digit."
            ),
        )
    if "--" in slug:
        return TenantErrorCode.SLUG_INVALID, _("Two hyphens in a row are not allowed.")
    if slug in settings.TENANT_RESERVED_SLUGS:
        return TenantErrorCode.SLUG_RESERVED, _("'%(slug)s' is reserved.") % {"slug": slug}
    return None


def domain_problem(domain: str) -> str | None:
    if len(domain) > 253 or "." not in domain:
        return _("Enter a full host name such as learn.example.com.")
    labels = domain.split(".")
    if not all(DOMAIN_LABEL.match(label) for label in labels):
        return _("Each part of the host name may hold letters, digits and inner hyphens.")
    if labels[-1].isdigit():
        return _("An IP address is not a domain name.")
    base = settings.BASE_DOMAIN
    if domain == base or domain.endswith("." + base):
        return _("Names under %(base)s are given out by Lectern, not added by hand.") % {
            "base": base
        }
    return None


def normalise_domain(domain: str) -> str:
    return domain.strip().lower().rstrip(".")


def validate_tenant_fields(*, slug: str, name: str, admin_email: str, plan_code: str) -> None:
    """Raise ValidationFailed naming every field that breaks a rule."""
    problems: list[FieldError] = []
    code = TenantErrorCode.INVALID
    found = slug_problem(slug)
    if found:
        code, message = found
        problems.append(FieldError("slug", message))
    if not name.strip():
        problems.append(FieldError("name", _("This field may not be blank.")))
    elif len(name) > 200:
        problems.append(FieldError("name", _("Use at most 200 characters.")))
    try:
        validate_email(admin_email)
    except ValidationError:
        problems.append(FieldError("admin_email", _("Enter a valid e-mail address.")))
    if not PLAN_PATTERN.match(plan_code):
        problems.append(FieldError("plan", _("Use a plan code of lowercase letters and digits.")))
    else:
        unusable = plan_code_problem(plan_code)
        if unusable:
            problems.append(FieldError("plan", unusable))
    if problems:
        if len(problems) > 1:
            code = TenantErrorCode.INVALID
        raise ValidationFailed(code, _("The tenant could not be created."), problems)
