"""How SSO plugs into the LMS (people.login_methods and core.navigation), registered once
from SsoConfig.ready(): the login page's buttons and discovery form, the password rule of
an SSO-only tenant, and the admin navigation entry."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import connection
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_tenants.utils import get_public_schema_name

from core.navigation import Area, Banner, NavEntry, admin_banner_register, nav_entry_register
from sso.models import ExternalIdentity, IdentityProvider, ProviderKind
from sso.services import policy
from tenant_apps.people import login_methods
from tenant_apps.people.hooks import (
    person_anonymised_handler_register,
    person_sections_register,
)
from tenant_apps.people.permissions import Capability, user_can


def login_url(provider: IdentityProvider) -> str:
    """Where a sign-in through `provider` starts."""
    name = "sso-saml-login" if provider.kind == ProviderKind.SAML else "sso-oidc-login"
    return reverse(name, kwargs={"slug": provider.slug})


def _on_tenant() -> bool:
    return connection.schema_name != get_public_schema_name()


def _enabled_providers(request: HttpRequest) -> list[IdentityProvider]:
    """The tenant's enabled providers, read once per request (buttons and discovery)."""
    cached = getattr(request, "_sso_enabled_providers", None)
    if cached is None:
        cached = list(
            IdentityProvider.objects.filter(enabled=True)
            .only("slug", "name", "kind", "email_domains")
            .order_by("name", "id")
        )
        request._sso_enabled_providers = cached
    return cached


def _buttons(request: HttpRequest) -> list[login_methods.LoginButton]:
    if not _on_tenant():
        return []
    # The page the person was on their way to (the sign-in checks it stays on this host).
    next_url = request.GET.get("next", "")
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return [
        login_methods.LoginButton(
            label=_("Sign in with %(name)s") % {"name": provider.name},
            url=login_url(provider) + query,
        )
        for provider in _enabled_providers(request)
    ]


def _discovery(request: HttpRequest) -> str | None:
    if not _on_tenant():
        return None
    if not any(provider.email_domains for provider in _enabled_providers(request)):
        return None
    return reverse("sso-discover")


def _password_form(request: HttpRequest) -> bool:
    # SSO-only needs an enabled provider: without one the policy is not worth a query.
    if not _on_tenant() or not _enabled_providers(request):
        return True
    return policy.password_form_wanted()


def _password_check(user) -> str | None:
    return policy.password_refusal(user) if _on_tenant() else None


def can_manage_sso(user) -> bool:
    return user_can(user, Capability.MANAGE_SSO)


def _single_logout(request: HttpRequest) -> str | None:
    from sso.saml_views import saml_single_logout_url

    return saml_single_logout_url(request) if _on_tenant() else None


def _certificate_banners(request) -> list[Banner]:
    """On every admin page, for those who manage SSO: the certificates sign-in depends on
    that expire within 30 days (or have expired)."""
    if not _on_tenant() or not can_manage_sso(getattr(request, "user", None)):
        return []
    from sso.services.certificates import certificates_expiring

    banners = []
    for status in certificates_expiring():
        if status.facts.expired:
            text = _("%(what)s has expired: single sign-on through it no longer works.") % {
                "what": status.label
            }
        else:
            text = ngettext(
                "%(what)s expires in %(days)d day (%(date)s).",
                "%(what)s expires in %(days)d days (%(date)s).",
                status.facts.days_left,
            ) % {
                "what": status.label,
                "days": status.facts.days_left,
                "date": status.facts.not_after.date().isoformat(),
            }
        link = (
            reverse("manage-sso-provider", kwargs={"provider_id": status.provider.pk})
            if status.provider
            else reverse("manage-sso-keys")
        )
        banners.append(Banner(text=text, link_url=link, link_label=_("Replace it")))
    return banners


def _identity_sections(person) -> list:
    """The admin's page about a person: the identities they sign in with."""
    from tenant_apps.people.hooks import PersonSection

    if not _on_tenant():
        return []
    links = person.external_identities.select_related("provider").order_by("provider__name")
    rows = [
        (
            link.provider.name,
            _("%(subject)s, last sign-in %(when)s")
            % {
                "subject": link.subject,
                "when": link.last_login_at.date().isoformat() if link.last_login_at else _("never"),
            },
        )
        for link in links
    ]
    return [
        PersonSection(
            title=_("Single sign-on identities"),
            rows=rows,
            empty_text=_("Not linked to any identity provider."),
        )
    ]


def identities_forget(person) -> None:
    """An anonymised person's identities at the tenant's providers go (people hook): the
    subject identifies them, and a later sign-in with it must not reach the old account."""
    ExternalIdentity.objects.filter(user_id=person.pk).delete()


def register() -> None:
    person_sections_register(_identity_sections)
    person_anonymised_handler_register(identities_forget)
    nav_entry_register(
        NavEntry(
            Area.ADMIN,
            gettext_lazy("Single sign-on"),
            "manage-sso",
            can_manage_sso,
            order=70,
            also_current=(
                "manage-sso-add-saml",
                "manage-sso-add-oidc",
                "manage-sso-policy",
                "manage-sso-keys",
                "manage-sso-provider",
                "manage-sso-mapping",
                "manage-sso-metadata",
                "manage-sso-delete",
                "manage-sso-test",
            ),
        )
    )
    admin_banner_register(_certificate_banners)
    login_methods.login_method_register(_buttons)
    login_methods.discovery_url_register(_discovery)
    login_methods.password_form_rule_register(_password_form)
    login_methods.password_sign_in_check_register(_password_check)
    login_methods.sign_out_handoff_register(_single_logout)
