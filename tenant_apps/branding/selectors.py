"""Reads of custom domains (tenant-scoped: another tenant's id is simply not found)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from tenant_apps.branding.errors import BrandingErrorCode
from tenant_apps.branding.hooks import domain_routing
from tenant_apps.branding.models import CustomDomain


def custom_domain_list() -> QuerySet[CustomDomain]:
    return CustomDomain.objects.order_by("name")


def custom_domain_get(*, domain_id: int) -> CustomDomain:
    domain = CustomDomain.objects.filter(pk=domain_id).first()
    if domain is None:
        raise NotFound(BrandingErrorCode.DOMAIN_NOT_FOUND, _("No such domain."))
    return domain


def tenant_host() -> str:
    """The tenant's own host: the target of a custom domain's CNAME record."""
    return domain_routing().tenant_host()
