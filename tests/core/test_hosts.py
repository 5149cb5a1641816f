"""Django's host check accepts only the host tenant routing admitted (core.hosts)."""

from __future__ import annotations

import pytest
from django.core.exceptions import DisallowedHost

from core.hosts import admitted_host, host_admitted
from core.tenancy import host_of


def test_get_host_refuses_every_host_until_routing_admits_one(rf):
    request = rf.get("/", HTTP_HOST="alpha.localhost")
    with pytest.raises(DisallowedHost):
        request.get_host()
    with host_admitted("alpha.localhost"):
        assert request.get_host() == "alpha.localhost"
        assert request.build_absolute_uri("/next") == "http://alpha.localhost/next"
    with pytest.raises(DisallowedHost):
        request.get_host()
    assert admitted_host() is None


def test_get_host_refuses_a_host_other_than_the_admitted_one(rf):
    with host_admitted("alpha.localhost"):
        for host in ("evil.example", "bravo.localhost", "alpha.localhost.evil.example"):
            with pytest.raises(DisallowedHost):
                rf.get("/", HTTP_HOST=host).get_host()


def test_forwarded_host_is_read_only_when_the_proxy_is_trusted(rf, settings):
    request = rf.get("/", HTTP_HOST="alpha.localhost", HTTP_X_FORWARDED_HOST="evil.example")
    assert host_of(request) == "alpha.localhost"
    with host_admitted("alpha.localhost"):
        assert request.build_absolute_uri("/") == "http://alpha.localhost/"

    settings.USE_X_FORWARDED_HOST = True
    assert host_of(request) == "evil.example"
    with host_admitted("alpha.localhost"), pytest.raises(DisallowedHost):
        request.get_host()


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("Alpha.LocalHost:8000", "alpha.localhost"),
        ("alpha.localhost.", "alpha.localhost"),
        ("[::1]:8000", "[::1]"),
        ("alpha.localhost:port", ""),
        ("alpha.localhost, evil.example", ""),
        ("alpha localhost", ""),
    ],
)
def test_host_of_reads_the_host_as_django_does(rf, raw, host):
    assert host_of(rf.get("/", HTTP_HOST=raw)) == host
