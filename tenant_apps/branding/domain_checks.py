"""Looking up a custom domain's verification record in the DNS (dnspython).

The resolver is configurable (`CUSTOM_DOMAIN_NAMESERVER`, `CUSTOM_DOMAIN_NAMESERVER_PORT`,
`CUSTOM_DOMAIN_DNS_TIMEOUT`): tests point it at a DNS server on loopback; production leaves
the nameserver empty and uses the machine's own resolver configuration."""

from __future__ import annotations

import dns.exception
import dns.resolver
from django.conf import settings

from tenant_apps.branding.models import DomainFailure


def _resolver() -> dns.resolver.Resolver:
    nameserver = getattr(settings, "CUSTOM_DOMAIN_NAMESERVER", "")
    timeout = float(getattr(settings, "CUSTOM_DOMAIN_DNS_TIMEOUT", 5.0))
    if nameserver:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [nameserver]
        resolver.port = int(getattr(settings, "CUSTOM_DOMAIN_NAMESERVER_PORT", 53))
    else:
        resolver = dns.resolver.Resolver()
    resolver.timeout = timeout
    resolver.lifetime = timeout
    return resolver


def verification_failure(record_name: str, token: str) -> DomainFailure | None:
    """None when a TXT record at `record_name` holds exactly `token`; else why not."""
    try:
        answer = _resolver().resolve(record_name, "TXT", search=False)
    except dns.resolver.NXDOMAIN:
        return DomainFailure.NXDOMAIN
    except dns.resolver.NoAnswer:
        return DomainFailure.NO_RECORD
    except dns.exception.Timeout:
        return DomainFailure.TIMEOUT
    except (dns.exception.DNSException, OSError):
        return DomainFailure.DNS_ERROR
    values = {b"".join(record.strings).decode("ascii", "replace").strip() for record in answer}
    return None if token in values else DomainFailure.WRONG_TOKEN
