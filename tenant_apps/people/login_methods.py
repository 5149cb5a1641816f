"""Other ways to sign in, shown on the login page: a wing (SSO) registers a provider of
buttons here from its AppConfig.ready(), so this app never imports it. With none registered
(today) the login page shows only the password form.

    def saml_buttons(request):
        return [LoginButton(label=_("Sign in with Acme SSO"), url="/sso/saml/acme/login/")]

    login_method_register(saml_buttons)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class LoginButton:
    """One way to sign in: a label (translated) and the local URL that starts it."""

    label: str
    url: str


LoginMethodProvider = Callable[[HttpRequest], Iterable[LoginButton]]

_providers: list[LoginMethodProvider] = []


def login_method_register(provider: LoginMethodProvider) -> LoginMethodProvider:
    """Add `provider(request)`, which gives the buttons for this request's tenant (none when
    it has no such method configured). Registering the same provider twice has no effect."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def login_buttons_for(request: HttpRequest) -> list[LoginButton]:
    """Every button the registered providers offer on this request, in registration order."""
    return [button for provider in list(_providers) for button in provider(request)]


# ------------------------------------------------------------------------------------------
# Rules on passwords (SSO registers them: "SSO only, except the break-glass admins")
PasswordSignInCheck = Callable[[object], "str | None"]
PasswordFormRule = Callable[[HttpRequest], bool]
DiscoveryUrl = Callable[[HttpRequest], "str | None"]

_password_checks: list[PasswordSignInCheck] = []
_password_form_rules: list[PasswordFormRule] = []
_discovery_urls: list[DiscoveryUrl] = []


def password_sign_in_check_register(check: PasswordSignInCheck) -> PasswordSignInCheck:
    """Add `check(user)`, called after a person's password proved right (on the page and
    the API alike): it returns why this person may not sign in with a password, or None."""
    if check not in _password_checks:
        _password_checks.append(check)
    return check


def password_sign_in_refusal(user) -> str | None:
    """Why `user` may not sign in with a password here, or None when they may."""
    for check in list(_password_checks):
        reason = check(user)
        if reason:
            return reason
    return None


def password_form_rule_register(rule: PasswordFormRule) -> PasswordFormRule:
    """Add `rule(request)`: False hides the login page's password form."""
    if rule not in _password_form_rules:
        _password_form_rules.append(rule)
    return rule


def password_form_shown(request: HttpRequest) -> bool:
    return all(rule(request) for rule in list(_password_form_rules))


def discovery_url_register(provider: DiscoveryUrl) -> DiscoveryUrl:
    """Add `provider(request)`: the local URL the login page's "continue with your work
    e-mail" form posts to (field `email`), or None when this tenant has nowhere to send it."""
    if provider not in _discovery_urls:
        _discovery_urls.append(provider)
    return provider


def discovery_url_for(request: HttpRequest) -> str | None:
    for provider in list(_discovery_urls):
        url = provider(request)
        if url:
            return url
    return None


# ------------------------------------------------------------------------------------------
# Signing out (SSO registers single logout: the IdP signs the person out too)
SignOutHandoff = Callable[[HttpRequest], "str | None"]

_sign_out_handoffs: list[SignOutHandoff] = []


def sign_out_handoff_register(handoff: SignOutHandoff) -> SignOutHandoff:
    """Add `handoff(request)`, asked just before the portal signs a person out (the session
    is still there): the URL to send the browser to afterwards (e.g. the identity
    provider's single logout), or None."""
    if handoff not in _sign_out_handoffs:
        _sign_out_handoffs.append(handoff)
    return handoff


def sign_out_destination(request: HttpRequest) -> str | None:
    for handoff in list(_sign_out_handoffs):
        url = handoff(request)
        if url:
            return url
    return None
