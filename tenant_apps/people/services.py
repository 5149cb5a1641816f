"""Writes on people. Each runs in the schema the connection points at."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tenant_apps.people.models import Role, User


@transaction.atomic
def user_create(
    *, email: str, full_name: str = "", role: Role = Role.LEARNER, password: str | None = None
) -> User:
    """Create a person in the current tenant. Without a password they must accept an invite."""
    user = User(email=email.strip().lower(), full_name=full_name.strip(), role=role)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def tenant_base_url(host: str) -> str:
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{host}{port}"


def set_password_url(*, user: User, host: str) -> str:
    """A one-time link: it stops working once the password is set, and after
    PASSWORD_RESET_TIMEOUT seconds."""
    path = reverse(
        "set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
        urlconf=settings.ROOT_URLCONF,
    )
    return tenant_base_url(host) + path
