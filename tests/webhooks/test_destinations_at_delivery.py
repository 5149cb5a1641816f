"""The SSRF guard at delivery time: an endpoint saved while its host looked public, or made
some other way, is still refused when it points into the platform's own network — before a
byte is sent — and a redirect to such a place is never followed. Receivers listen on the
loopback targets, so a request that got through would be seen."""

from __future__ import annotations

import pytest

from tests.webhooks.helpers import messages_for
from tests.webhooks.receiver import Receiver
from webhooks.models import MessageStatus
from webhooks.services.dispatch import messages_deliver

pytestmark = pytest.mark.usefixtures("in_tenant_a")


@pytest.fixture
def nothing_admitted(settings) -> None:
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_DESTINATION_ALLOWLIST = []


@pytest.fixture
def ipv6_receiver():
    with Receiver("::1") as running:
        yield running


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:{port}/hook", "127.0.0.1 is a loopback address"),
        ("http://localhost:{port}/hook", "localhost resolves to 127.0.0.1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/hook", "a loopback address"),
        ("http://[::1]:{v6port}/hook", "::1 is a loopback address"),
        ("http://10.0.0.7/hook", "10.0.0.7 is a private address"),
        ("http://192.168.1.20/hook", "192.168.1.20 is a private address"),
        ("http://169.254.10.10/hook", "169.254.10.10 is a private address"),  # link-local
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "cloud metadata"),
        ("http://0.0.0.0:{port}/hook", "0.0.0.0"),  # noqa: S104 - a target, not a bind
    ],
)
def test_every_internal_target_is_refused_before_sending(
    nothing_admitted, receiver, ipv6_receiver, make_endpoint, url, reason
):
    receiver.expect("/hook", secrets=["*"])
    endpoint, _ = make_endpoint(url.format(port=receiver.port, v6port=ipv6_receiver.port))
    [message] = messages_for(endpoint)

    messages_deliver()

    assert receiver.deliveries == [] and ipv6_receiver.deliveries == []
    message.refresh_from_db()
    [attempt] = message.attempts.all()
    assert attempt.status_code is None and not attempt.succeeded
    assert attempt.error.startswith("Refused before sending:")
    assert reason in attempt.error
    assert message.status == MessageStatus.FAILING  # DNS may change back: retried


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/inside", "http://169.254.169.254/"])
def test_a_redirect_is_a_failure_and_never_followed(settings, receiver, make_endpoint, target):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_DESTINATION_ALLOWLIST = ["127.0.0.1/32"]  # the receiver, not 127.0.0.2
    with Receiver("127.0.0.2") as inside:
        inside.expect("/inside", secrets=["*"])
        location = target.format(port=inside.port)
        endpoint, secret = make_endpoint("http://placeholder/")
        endpoint.url = receiver.expect(
            "/moved", secrets=[secret], status=302, headers={"Location": location}
        )
        endpoint.save()
        [message] = messages_for(endpoint)

        messages_deliver()

        assert len(receiver.to("/moved")) == 1
        assert inside.deliveries == []
    message.refresh_from_db()
    [attempt] = message.attempts.all()
    assert attempt.status_code == 302 and not attempt.succeeded
    assert attempt.response_headers["location"] == location
    assert message.status == MessageStatus.FAILING


def test_the_connection_goes_to_the_checked_address_with_the_hosts_name(
    settings, receiver, make_endpoint
):
    """`localhost` is checked, then connected to at the address checked (127.0.0.1), while
    the request names the host: the pinning that defeats DNS rebinding."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_DESTINATION_ALLOWLIST = ["127.0.0.1/32"]
    endpoint, secret = make_endpoint(f"http://localhost:{receiver.port}/named")
    receiver.expect("/named", secrets=[secret])
    messages_for(endpoint)

    messages_deliver()

    [delivery] = receiver.to("/named")
    assert delivery.verified
    assert delivery.headers["host"] == f"localhost:{receiver.port}"
