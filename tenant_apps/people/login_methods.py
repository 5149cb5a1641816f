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
