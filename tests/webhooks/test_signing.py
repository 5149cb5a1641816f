"""Our signatures are the spec's: the reference implementation (PyPI `standardwebhooks`)
verifies them, during a rotation under either secret, and refuses a tampered body."""

from __future__ import annotations

import json
import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from webhooks.services import signing


def _delivery(*secrets: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"type": "course.published", "data": {"course_id": 7}}).encode()
    return body, signing.headers(secrets, "msg_2b1f0c", int(time.time()), body)


def test_the_reference_implementation_verifies_our_signature() -> None:
    secret = signing.secret_new()
    assert secret.startswith("whsec_")
    body, headers = _delivery(secret)
    assert Webhook(secret).verify(body, headers) == json.loads(body)


def test_during_a_rotation_both_secrets_verify() -> None:
    new, old = signing.secret_new(), signing.secret_new()
    body, headers = _delivery(new, old)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.secret_new()).verify(body, headers)


def test_a_tampered_body_or_id_is_refused() -> None:
    secret = signing.secret_new()
    body, headers = _delivery(secret)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"7", b"8"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, {**headers, "webhook-id": "msg_other"})
