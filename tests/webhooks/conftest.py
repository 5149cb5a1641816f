"""Fixtures of the webhook tests: a verifying receiver on loopback, endpoints with real sealed
secrets, and the destination settings that admit the receiver (and nothing else)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.secret_box import secret_seal
from tests.webhooks.receiver import Receiver
from webhooks.models import WebhookEndpoint
from webhooks.services import signing


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver("127.0.0.1") as running:
        yield running


@pytest.fixture
def loopback_admitted(settings) -> None:
    """http and 127.0.0.1 only, as a development machine would admit them."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_DESTINATION_ALLOWLIST = ["127.0.0.1/32"]


@pytest.fixture
def make_endpoint():
    """`make_endpoint(url, **fields)` -> (endpoint, secret), in the current schema."""

    def make(url: str, **fields) -> tuple[WebhookEndpoint, str]:
        secret = signing.secret_new()
        endpoint = WebhookEndpoint.objects.create(
            url=url, secret_sealed=secret_seal(secret), **fields
        )
        return endpoint, secret

    return make
