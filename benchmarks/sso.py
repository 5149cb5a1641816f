"""Benchmark: single sign-on through the real stack.

The question (issue 9): how long does our server take at the SAML ACS for a signed response
(python3-saml's strict validation with xmlsec, the stored-request and replay checks in
Redis, the person brought up to date, a session created), and how many can it take per
second? Goal: **ACS p95 <= 50 ms** of our own server time.

On a fresh database of its own (see `_common.py`; Redis database 15 unless
`BENCH_REDIS_URL` says otherwise, flushed at start and end) one tenant is provisioned with
`tenant_create`; in it a SAML provider trusting a local pysaml2 IdP (its key pair made for
the run; the Shibboleth preset's attribute names) and the person who signs in (made by a
first sign-in, not timed). The tenant's SP key pair is made before timing starts.

Responses are minted in advance (not timed) by the pysaml2 IdP of the test suite
(`tests/sso/idps/pysaml2_idp.py`, `Server.create_authn_response`), response and assertion
signed with RSA-SHA256, each answering its own AuthnRequest ID stored the way
`saml_login_start` stores it, each with its own assertion ID (so neither the request check
nor the replay cache refuses them), alternating the person's given name so every sign-in
updates the person.

One server is started: `gunicorn` (`--workers` sync workers) running `lectern.wsgi` under
the production settings (`DEBUG` off, JSON logs at WARNING), requests carrying the tenant's
Host header and `X-Forwarded-Proto: https` as behind the front proxy. Each response is
POSTed to the ACS `--warmup` times, then `--requests` times one after another (p50 and p95
of sending the request to reading the whole answer: on loopback, the server's time); every
answer must be a 302 to the page asked for with a session cookie. Throughput: `--requests`
more, sent by `--concurrency` clients at once, per second of wall time.

OIDC: after the SAML part, `benchmarks/sso_oidc.py` measures the OIDC callback in the same
tenant against a real oidc-provider process, the JWKS cached (see its docstring: in-process
through the whole middleware stack, the provider's own time reported apart); its figures
join the result.

Progress goes to stderr; the last line on stdout is the result as JSON.

    .venv/bin/python benchmarks/sso.py
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    REPO_ROOT,
    bench_database,
    emit_result,
    log,
    ms,
    percentile,
    redis_url,
)

SLUG = "ssobench"
PROVIDER_SLUG = "corp"
IDP_ENTITY_ID = "https://idp.bench.test/metadata"
GOAL_ACS_P95_MS = 50.0
NEXT_URL = "/catalogue/"


@dataclass
class World:
    host: str
    schema: str
    provider_id: int
    entity_id: str
    acs_url: str


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def provision(keys) -> World:
    from django_tenants.utils import schema_context

    from shared_apps.tenants.models import Domain
    from shared_apps.tenants.services import tenant_create
    from sso.models import IdentityProvider, ProviderKind
    from sso.presets import SAML_PRESETS
    from sso.services.keys import sp_key_active

    tenant = tenant_create(
        slug=SLUG, name="SSO benchmark", admin_email=f"admin@{SLUG}.example.com"
    ).tenant
    host = Domain.objects.get(tenant=tenant, is_primary=True).domain
    shibboleth = next(preset for preset in SAML_PRESETS if preset.code == "shibboleth")
    with schema_context(tenant.schema_name):
        provider = IdentityProvider.objects.create(
            slug=PROVIDER_SLUG,
            name="Bench IdP",
            kind=ProviderKind.SAML,
            saml_entity_id=IDP_ENTITY_ID,
            saml_sso_url="https://idp.bench.test/sso",
            saml_certificates=[keys.certificate_pem],
            attribute_mapping=dict(shibboleth.mapping),
        )
        sp_key_active()
    base = f"https://{host}/sso/saml/{PROVIDER_SLUG}"
    return World(
        host=host,
        schema=tenant.schema_name,
        provider_id=provider.pk,
        entity_id=f"{base}/metadata/",
        acs_url=f"{base}/acs/",
    )


def responses(world: World, idp, count: int) -> list[str]:
    """`count` signed responses, each answering a stored AuthnRequest of its own."""
    from django_tenants.utils import schema_context

    from sso.services import saml_state

    made = []
    with schema_context(world.schema):
        for index in range(count):
            request_id = "ONELOGIN_" + secrets.token_hex(20)
            saml_state.authn_request_remember(
                request_id,
                saml_state.SentRequest(provider_id=world.provider_id, next_url=NEXT_URL),
            )
            given = "Pat" if index % 2 else "Patricia"
            xml = idp.response(
                audience=world.entity_id,
                acs_url=world.acs_url,
                in_response_to=request_id,
                name_id="pat@bench.test",
                attributes={"mail": ["pat@bench.test"], "givenName": [given], "sn": ["Bench"]},
            )
            made.append(urlencode({"SAMLResponse": base64.b64encode(xml.encode()).decode()}))
    return made


def post_acs(port: int, world: World, body: str) -> float:
    """POST one response to the ACS; its time in ms (checked: a sign-in happened)."""
    headers = {
        "Host": world.host,
        "X-Forwarded-Proto": "https",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        started = time.perf_counter()
        conn.request("POST", f"/sso/saml/{PROVIDER_SLUG}/acs/", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        conn.close()
    location = response.getheader("Location")
    cookies = response.getheader("Set-Cookie") or ""
    if response.status != 302 or location != NEXT_URL or "sessionid=" not in cookies:
        raise RuntimeError(f"ACS answered {response.status} -> {location}: not signed in")
    return elapsed


@contextlib.contextmanager
def server(database_url: str, workers: int) -> Iterator[int]:
    from tests.live import live_server

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lectern.settings.production",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url(),
        "CELERY_BROKER_URL": redis_url(),
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="lectern-bench-sso-static-"),
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "platform"), str(REPO_ROOT)]),
    }
    with (
        tempfile.TemporaryDirectory(prefix="lectern-bench-sso-") as logs,
        live_server(env, Path(logs) / "server.log", workers=workers) as base_url,
    ):
        log(f"server: gunicorn, {workers} sync workers, {base_url}")
        yield int(base_url.rsplit(":", 1)[1])


def saml_acs(port: int, world: World, idp, args: argparse.Namespace) -> dict[str, float]:
    log("first sign-in (creates the person, not timed)")
    post_acs(port, world, responses(world, idp, 1)[0])
    log(f"minting {args.warmup + 2 * args.requests} responses (not timed)")
    warmup = responses(world, idp, args.warmup)
    sequential = responses(world, idp, args.requests)
    concurrent = responses(world, idp, args.requests)
    for body in warmup:
        post_acs(port, world, body)
    timings = [post_acs(port, world, body) for body in sequential]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(lambda body: post_acs(port, world, body), concurrent))
    wall = time.perf_counter() - started
    return {
        "saml_acs_p50_ms": ms(percentile(timings, 0.50)),
        "saml_acs_p95_ms": ms(percentile(timings, 0.95)),
        "saml_acs_per_s": round(len(concurrent) / wall, 1),
    }


def oidc_figures(world: World, args: argparse.Namespace) -> dict:
    """The OIDC callback's latency with a cached JWKS, in the same tenant (sso_oidc.py)."""
    from sso_oidc import oidc_callback_measure

    return oidc_callback_measure(
        tenant_schema=world.schema, host=world.host, requests=args.requests, warmup=args.warmup
    )


def main() -> None:
    args = parse_args()
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    database = f"lectern_bench_sso_{os.getpid()}"
    with bench_database(database, keep=args.keep) as url:
        from tests.sso.idps.pysaml2_idp import Pysaml2Idp, key_pair_make

        with tempfile.TemporaryDirectory(prefix="lectern-bench-idp-") as keys_dir:
            keys = key_pair_make(Path(keys_dir), "idp")
            idp = Pysaml2Idp(entity_id=IDP_ENTITY_ID, base_url="https://idp.bench.test", keys=keys)
            world = provision(keys)
            with server(url, args.workers) as port:
                saml = saml_acs(port, world, idp, args)
                log(f"SAML ACS: {saml}")
                oidc = oidc_figures(world, args)
    emit_result(
        {
            "benchmark": "sso",
            **saml,
            **oidc,
            "requests": args.requests,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "goal_acs_p95_ms": GOAL_ACS_P95_MS,
            "met": saml["saml_acs_p95_ms"] <= GOAL_ACS_P95_MS,
        }
    )


if __name__ == "__main__":
    main()
