"""`Authorization: Bearer <token>` for the operator API (public host only)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions

from core.api.authentication import bearer_credential
from shared_apps.operators.permissions import is_operator
from shared_apps.operators.services import operator_token_authenticate


class OperatorTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        secret = bearer_credential(request, usage="Authorization: Bearer <operator token>")
        if secret is None:
            return None
        token = operator_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked operator token."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class IsOperator(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_operator(request.user)
