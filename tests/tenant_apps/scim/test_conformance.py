"""PyPI scim2-tester against a live Lectern (gunicorn on the test database): every check
it runs passes."""

from __future__ import annotations

import httpx2
import pytest
from django_tenants.utils import schema_context
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import check_server
from scim2_tester.utils import Status

from tenant_apps.scim.tokens import scim_token_create
from tests.live import live_server, server_env

SLUG = "scimlive"
PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE, Status.SKIPPED}


class LoopbackTransport(httpx2.HTTPTransport):
    """Send `<tenant>.localhost` requests to 127.0.0.1, keeping the Host header (this
    machine's resolver does not know *.localhost)."""

    def handle_request(self, request):
        request.url = request.url.copy_with(host="127.0.0.1")
        return super().handle_request(request)


@pytest.fixture
def live_scim(committed_tenant, django_db_blocker, tmp_path):
    tenant = committed_tenant(SLUG)
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        secret = scim_token_create(name="scim2-tester", actor=None)[1]
    with live_server(server_env(), tmp_path / "server.log", workers=2) as base_url:
        yield base_url.replace("127.0.0.1", f"{SLUG}.localhost") + "/scim/v2", secret


@pytest.mark.timeout(300)
def test_scim2_tester_passes_every_check(live_scim):
    base_url, secret = live_scim
    with httpx2.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {secret}"},
        transport=LoopbackTransport(),
        timeout=30,
    ) as http:
        client = SyncSCIMClient(http)
        results = check_server(client)
    failed = [
        f"{r.title} [{r.resource_type}] {r.status.name}: {r.reason}"
        for r in results
        if r.status not in PASSING
    ]
    names = sorted({f"{r.title}[{r.resource_type or '-'}]" for r in results})
    print("scim2-tester checks:", len(results), "\n".join(names))
    assert len(results) > 20
    assert failed == [], "\n".join(failed)
