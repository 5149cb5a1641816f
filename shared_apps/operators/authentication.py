"""`Authorization: Bearer <token>` for the operator API (public host only)."""

from __future__ import annotations

from rest_framework import authentication, exceptions, permissions

from shared_apps.operators.services import operator_token_authenticate


class OperatorTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not secret.strip():
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <operator token>'.")
        token = operator_token_authenticate(secret.strip())
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked operator token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class IsOperator(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
