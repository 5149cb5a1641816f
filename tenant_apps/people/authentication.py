"""How callers of the tenant API prove who they are.

* the web portal's session (with CSRF protection, as DRF enforces it);
* `Authorization: Bearer <access token>` from a sign-in (a JWT, five minutes);
* `Authorization: Bearer lpt_...`, a personal token for an integration.
"""

from __future__ import annotations

from rest_framework import authentication, exceptions

from core.api.authentication import bearer_credential
from core.errors import ApplicationError
from tenant_apps.people.tokens import PERSONAL_PREFIX, access_token_user, personal_token_user


class BearerAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        credential = bearer_credential(request, usage="Authorization: Bearer <token>")
        if credential is None:
            return None
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
