"""Which address a request comes from: X-Forwarded-For counts only as far as trusted proxies
wrote it, for every per-address limit and for the audit log."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.request_context import client_address

pytestmark = pytest.mark.usefixtures("fresh_throttle_counters")


def address_of(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_forwarded_for_is_ignored(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.TRUSTED_PROXY_NETWORKS == []
    assert address_of("198.51.100.7", "203.0.113.1") == "198.51.100.7"
    assert address_of("198.51.100.7", "203.0.113.1, 10.0.0.1") == "198.51.100.7"
    assert address_of("198.51.100.7") == "198.51.100.7"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        # The one proxy appended the address it saw; what is left of it is the client's.
        ("203.0.113.5", "203.0.113.5"),
        ("1.2.3.4, 203.0.113.5", "203.0.113.5"),
        ("anything, 203.0.113.5", "203.0.113.5"),
        # No header: the proxy called us itself.
        (None, "10.0.0.2"),
        # Some proxies add a port.
        ("203.0.113.5:51234", "203.0.113.5"),
        ("[2001:db8::5]:443", "2001:db8::5"),
        # Garbage where the proxy's entry should be: only the proxy is known.
        ("1.2.3.4, not-an-address", "10.0.0.2"),
    ],
)
def test_a_count_of_proxies_trusts_that_many_hops(settings, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address_of("10.0.0.2", forwarded) == expected


def test_two_proxies_skip_two_hops(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address_of("10.0.0.2", "9.9.9.9, 203.0.113.5, 10.0.0.1") == "203.0.113.5"


def test_trusted_networks_are_skipped_from_the_right(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8", "2001:db8:ffff::/48"]
    # A caller outside the networks is the client, whatever it claims.
    assert address_of("198.51.100.7", "203.0.113.1") == "198.51.100.7"
    # Through two proxies of ours: the first hop outside them.
    assert address_of("10.0.0.2", "6.6.6.6, 203.0.113.5, 10.1.1.1") == "203.0.113.5"
    assert address_of("2001:db8:ffff::1", "203.0.113.5") == "203.0.113.5"
    # Only proxies of ours all the way: the leftmost of them.
    assert address_of("10.0.0.2", "10.9.9.9") == "10.9.9.9"


def test_ipv4_mapped_addresses_are_plain_ipv4(settings):
    assert address_of("::ffff:198.51.100.7") == "198.51.100.7"


def test_a_rotating_forwarded_for_does_not_escape_the_per_address_limit(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100/min", "token": "100/min", "anon": "3/min"},
    }
    anonymous = api()
    codes = [
        anonymous.get(
            "/api/v1/certificates/verify/ABCD-EFGH-JKLM",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(5)
    ]
    assert codes == [404, 404, 404, 429, 429]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100/min", "token": "100/min", "anon": "2/min"},
    }
    settings.TRUSTED_PROXY_NETWORKS = ["127.0.0.0/8"]
    anonymous = api()

    def verify(client: str) -> int:
        return anonymous.get(
            "/api/v1/certificates/verify/ABCD-EFGH-JKLM", HTTP_X_FORWARDED_FOR=client
        ).status_code

    assert [verify("203.0.113.1") for _ in range(3)] == [404, 404, 429]
    # Another client behind the same proxy is counted on its own...
    assert verify("203.0.113.2") == 404
    # ...and a client cannot pose as another by prepending to the header.
    assert verify("203.0.113.2, 203.0.113.1") == 429


def test_the_audit_log_records_the_address_by_the_same_rule(api, make_person, settings):
    from django_tenants.utils import schema_context

    from tenant_apps.audit.models import AuditEntry
    from tenant_apps.people.models import Role

    admin = make_person(Role.ADMIN)
    first, second = make_person(), make_person()
    client = api(admin)
    client.patch(
        f"/api/v1/users/{first.pk}", {"role": "instructor"}, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    settings.TRUSTED_PROXY_COUNT = 1
    client.patch(
        f"/api/v1/users/{second.pk}", {"role": "instructor"}, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    with schema_context("t_alpha"):
        recorded = dict(AuditEntry.objects.values_list("target_id", "ip_address"))
    assert recorded == {str(first.pk): "127.0.0.1", str(second.pk): "203.0.113.9"}
