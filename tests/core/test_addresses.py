"""The one rule on which hosts Lectern reaches out to (webhooks, IdP metadata, HR exports):
every resolved address must be public unless a caller's allow-list admits it."""

from __future__ import annotations

import pytest

from core.addresses import AddressRefused, host_addresses_checked, networks


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("127.0.0.1", "loopback"),
        ("localhost", "loopback"),
        ("10.0.0.8", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("::ffff:127.0.0.1", "loopback"),
        ("100.64.1.1", "cloud metadata or reserved"),
        ("does-not-resolve.invalid", "does not resolve"),
    ],
)
def test_hosts_on_this_platforms_networks_are_refused(host, words) -> None:
    with pytest.raises(AddressRefused) as refused:
        host_addresses_checked(host, 443)
    assert words in refused.value.reason


def test_a_public_address_passes_and_an_allow_list_admits_a_private_one() -> None:
    assert [str(a) for a in host_addresses_checked("93.184.216.34", 443)] == ["93.184.216.34"]
    allowed = networks(["127.0.0.0/8"])
    assert [str(a) for a in host_addresses_checked("127.0.0.1", 80, allowed)] == ["127.0.0.1"]
