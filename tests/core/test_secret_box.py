"""Secrets kept at rest: sealed under the configured keys, opened by any of them, and a
secret under a key that was removed is refused rather than read as garbage."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from core.secret_box import SecretUnreadable, secret_open, secret_seal


def test_a_sealed_secret_opens_and_does_not_show_the_plain_text(settings) -> None:
    settings.SECRETS_AT_REST_KEYS = [Fernet.generate_key().decode()]
    sealed = secret_seal("client-secret-value")
    assert "client-secret-value" not in sealed
    assert secret_seal("client-secret-value") != sealed  # a fresh IV each time
    assert secret_open(sealed) == "client-secret-value"


def test_empty_stays_empty(settings) -> None:
    assert secret_seal("") == ""
    assert secret_open("") == ""


def test_rotation_new_key_first_still_opens_old_secrets(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SECRETS_AT_REST_KEYS = [old]
    sealed_under_old = secret_seal("s3cret")
    settings.SECRETS_AT_REST_KEYS = [new, old]
    assert secret_open(sealed_under_old) == "s3cret"
    resealed = secret_seal("s3cret")
    settings.SECRETS_AT_REST_KEYS = [new]
    assert secret_open(resealed) == "s3cret"
    with pytest.raises(SecretUnreadable):
        secret_open(sealed_under_old)


def test_without_configured_keys_a_key_is_derived_from_the_secret_key(settings) -> None:
    settings.SECRETS_AT_REST_KEYS = []
    sealed = secret_seal("derived")
    assert secret_open(sealed) == "derived"
    settings.SECRET_KEY = "another-secret-key"
    with pytest.raises(SecretUnreadable):
        secret_open(sealed)


def test_a_tampered_secret_is_refused(settings) -> None:
    settings.SECRETS_AT_REST_KEYS = [Fernet.generate_key().decode()]
    sealed = secret_seal("value")
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(SecretUnreadable):
        secret_open(tampered)
