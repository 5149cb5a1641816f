"""Secrets kept at rest (OIDC client secrets, SP private keys, payment keys, import
credentials): encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys in
`settings.SECRETS_AT_REST_KEYS`. The first key encrypts; every key decrypts, so a key is
rotated by putting a new one first and re-saving. With no keys configured (development and
tests) one key is derived from SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys opens (a key was removed too soon)."""


def _fernet_key(material: str) -> bytes:
    if len(material) == 44 and material.endswith("="):
        return material.encode()
    digest = hashlib.sha256(b"lectern secrets at rest\x00" + material.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@cache
def _box(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def _configured() -> MultiFernet:
    keys = tuple(getattr(settings, "SECRETS_AT_REST_KEYS", ()) or (settings.SECRET_KEY,))
    return _box(keys)


def secret_seal(plain: str) -> str:
    """The text to store for `plain` (empty stays empty)."""
    if not plain:
        return ""
    return _configured().encrypt(plain.encode()).decode()


def secret_open(sealed: str) -> str:
    """The plain text of a stored secret (empty stays empty)."""
    if not sealed:
        return ""
    try:
        return _configured().decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("none of the configured keys opens this secret") from exc
