"""How callers of the tenant API prove who they are.

* the web portal's session (with CSRF protection, as DRF enforces it);
* `Authorization: Bearer <access token>` from a sign-in (a JWT, five minutes);
* `Authorization: Bearer lpt_...`, a personal token for an integration.
"""

from __future__ import annotations

from rest_framework import authentication, exceptions

from core.errors import ApplicationError
from tenant_apps.people.tokens import PERSONAL_PREFIX, access_token_user, personal_token_user


class BearerAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <token>'.")
        try:
            if credential.startswith(PERSONAL_PREFIX):
                user, token = personal_token_user(credential)
                return user, token
            user, claims = access_token_user(credential)
            return user, claims
        except ApplicationError as exc:
            raise exceptions.AuthenticationFailed(exc.message) from exc

    def authenticate_header(self, request) -> str:
        return self.keyword
