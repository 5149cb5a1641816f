"""Benchmark: how long our OpenID Connect callback takes, with the provider's key set cached.

The question (issue 9, "Speed"): the OIDC callback's latency once discovery and the JWKS
are cached. `oidc_callback_measure` starts a real `oidc-provider` process (Node, on a free
loopback port, the one the tests use), configures it as an identity provider of the given
tenant, and signs the same person in `warmup + requests` times, each in a fresh browser
session: our login URL and the provider's sign-in are not timed; the callback is. A
callback is what a person's browser waits for: state and PKCE checks, the code exchanged at
the provider's token endpoint (a real HTTP round trip to Node), the ID token checked
(signature with the cached key, issuer, audience, times, nonce), the UserInfo call, the
person updated and the session created. The callback runs in-process through Django's test
client (the whole middleware stack, no HTTP server in front); every answer must be the
redirect to `/` with the person signed in. The time spent waiting on the provider's
token and UserInfo endpoints is measured too (every outbound fetch is timed), and our own
share reported apart. After the warm-up the key set must be in the
cache, and it must be the same entry at the end (no refetch while measuring).

`oidc_callback_measure` is called by `benchmarks/sso.py` on its own database; run alone,
this script makes a database and one tenant of its own (see `_common.py`). Progress goes to
stderr; the last line on stdout is the result as JSON.

    .venv/bin/python benchmarks/sso_oidc.py --requests 200
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO_ROOT, bench_database, create_tenants, emit_result, log, ms, percentile

SLUG = "bench-oidc"


def _jwks_cache_entries(schema: str) -> dict[bytes, bytes]:
    from core.redis_client import redis_client

    client = redis_client()
    return {key: client.get(key) for key in client.scan_iter(f"lectern:{schema}:sso:oidc:jwks:*")}


class ProviderClock:
    """Time spent waiting on the provider (token endpoint, UserInfo) inside a callback:
    every fetch the SSO wing makes (`sso.services.outbound.fetch`, connecting and reading
    the whole answer) is timed, so our own share is the callback minus this."""

    def __init__(self) -> None:
        from sso.services import outbound

        self.spent = 0.0
        self._fetch = outbound.fetch
        clock = self

        def timed_fetch(*args, **kwargs):
            started = time.perf_counter()
            try:
                return clock._fetch(*args, **kwargs)
            finally:
                clock.spent += (time.perf_counter() - started) * 1000

        outbound.fetch = timed_fetch

    def restore(self) -> None:
        from sso.services import outbound

        outbound.fetch = self._fetch


def oidc_callback_measure(
    *, tenant_schema: str, host: str, requests: int = 200, warmup: int = 20
) -> dict[str, object]:
    """p50/p95 of the OIDC callback in `tenant_schema` (served on `host`) against a real
    oidc-provider process, the JWKS cached. Django must be set up; the provider row it
    creates is deleted at the end."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from django.contrib.auth import SESSION_KEY
    from django.test import Client
    from django_tenants.utils import schema_context

    from core.secret_box import secret_seal
    from sso.models import IdentityProvider, ProviderKind
    from tests.sso.idps.oidc import OidcProviderProcess, query_of, sign_in_at_provider

    with tempfile.TemporaryDirectory(prefix="bench-oidc-") as workdir:
        idp = OidcProviderProcess(
            workdir=Path(workdir), redirect_uris=[f"http://{host}/sso/oidc/{SLUG}/callback/"]
        )
        idp.account_set(
            "bench-person-1",
            email="pat@bench.example",
            email_verified=True,
            name="Pat Bench",
            groups=["staff"],
        )
        idp.start()
        log(f"oidc-provider at {idp.issuer}")
        with schema_context(tenant_schema):
            provider = IdentityProvider.objects.create(
                slug=SLUG,
                name="Benchmark OIDC",
                kind=ProviderKind.OIDC,
                oidc_issuer=idp.issuer,
                oidc_client_id=idp.client_id,
                oidc_client_secret_sealed=secret_seal(idp.client_secret),
                oidc_scopes="openid email profile groups",
                attribute_mapping={"email": "email", "display_name": "name", "groups": "groups"},
            )
        clock = ProviderClock()
        try:
            durations: list[float] = []
            own: list[float] = []
            jwks_after_warmup: dict[bytes, bytes] = {}
            for index in range(warmup + requests):
                browser = Client(HTTP_HOST=host)
                started_at = browser.get(f"/sso/oidc/{SLUG}/login/")
                callback = sign_in_at_provider(started_at["Location"])
                path = callback.split("?", 1)[0].split(host, 1)[1]
                clock.spent = 0.0
                started = time.perf_counter()
                response = browser.get(path, query_of(callback))
                elapsed = (time.perf_counter() - started) * 1000
                at_provider = clock.spent
                with schema_context(tenant_schema):
                    signed_in = browser.session.get(SESSION_KEY)
                if response.status_code != 302 or response["Location"] != "/" or not signed_in:
                    raise RuntimeError(f"callback {index} did not sign in: {response}")
                if index == warmup - 1:
                    jwks_after_warmup = _jwks_cache_entries(tenant_schema)
                    if not jwks_after_warmup:
                        raise RuntimeError("the JWKS is not cached after the warm-up")
                if index >= warmup:
                    durations.append(elapsed)
                    own.append(elapsed - at_provider)
            if _jwks_cache_entries(tenant_schema) != jwks_after_warmup:
                raise RuntimeError("the JWKS was fetched again while measuring")
        finally:
            clock.restore()
            with schema_context(tenant_schema):
                provider.delete()
            idp.stop()
    result = {
        "oidc_callback_p50_ms": ms(percentile(durations, 0.50)),
        "oidc_callback_p95_ms": ms(percentile(durations, 0.95)),
        "oidc_callback_max_ms": ms(max(durations)),
        # The callback minus the time spent waiting on the provider's token and UserInfo
        # endpoints (Node, on the same machine).
        "oidc_callback_own_p50_ms": ms(percentile(own, 0.50)),
        "oidc_callback_own_p95_ms": ms(percentile(own, 0.95)),
        "oidc_callbacks": len(durations),
        "oidc_jwks_cached": True,
    }
    log(f"OIDC callback: {result}")
    return result


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    database = f"lectern_bench_sso_oidc_{os.getpid()}"
    with bench_database(database, keep=args.keep):
        create_tenants(1, prefix="oidc")
        from shared_apps.tenants.models import Tenant

        tenant = Tenant.objects.get(slug="oidc-00000")
        result = oidc_callback_measure(
            tenant_schema=tenant.schema_name,
            host=f"{tenant.slug}.localhost",
            requests=args.requests,
            warmup=args.warmup,
        )
    emit_result({"benchmark": "sso_oidc", **result})


if __name__ == "__main__":
    main()
