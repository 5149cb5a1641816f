"""Where a webhook may be sent: never to this platform's own network. A destination is
refused when any address its host resolves to is private, loopback, link-local, shared
(CGNAT), multicast, reserved or a cloud metadata address — checked when an endpoint is saved
and again at every delivery, which then connects to the very address checked (no DNS
rebinding between check and connect). `WEBHOOK_DESTINATION_ALLOWLIST` (CIDR networks)
admits such addresses for development and tests; `WEBHOOK_ALLOW_HTTP` admits http URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from core.addresses import AddressRefused, IPAddress, Network, networks
from core.addresses import address_refusal as core_address_refusal
from core.outbound import PinnedDestination, destination_pinned

# A webhook URL Lectern will not send to; `reason` says why in plain words.
DestinationRefused = AddressRefused


# A checked destination: connect to `address` (one of those the host resolved to, all of
# which passed), sending `host` as the Host header and TLS server name (core.outbound).
Destination = PinnedDestination


def _allowlist() -> list[Network]:
    return networks(getattr(settings, "WEBHOOK_DESTINATION_ALLOWLIST", ()) or ())


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` may not receive webhooks, or None."""
    return core_address_refusal(address, _allowlist())


def url_shape_refusal(url: str) -> str | None:
    """Why `url` cannot be an endpoint on its face (scheme, host, credentials), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("The URL is not valid.")
    allowed = {"https", "http"} if getattr(settings, "WEBHOOK_ALLOW_HTTP", False) else {"https"}
    if parts.scheme not in allowed:
        return _("The URL must start with https://.")
    if not parts.hostname:
        return _("The URL has no host name.")
    if parts.username or parts.password:
        return _("Put credentials in a custom header, not in the URL.")
    if port is not None and not 0 < port < 65536:
        return _("The URL's port is not valid.")
    return None


def destination_resolve(url: str) -> Destination:
    """Check `url` and every address its host resolves to; the destination to connect to.
    Raises DestinationRefused naming the first problem."""
    problem = url_shape_refusal(url)
    if problem:
        raise DestinationRefused(problem)
    return destination_pinned(url, _allowlist())
