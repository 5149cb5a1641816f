"""Fixtures for the whole suite.

A real PostgreSQL and Redis (the URLs given, else embedded servers; see settings/test.py).
Two tenants are provisioned once per session with the real service and committed; each test
then runs inside a transaction that is rolled back, so no test creates a schema it does not
need.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from core.hosts import RoutedHosts
from shared_apps.operators.services import operator_create, operator_token_issue
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.routing import route_cache
from shared_apps.tenants.services import tenant_create
from tests.databases import admin_connection, database_url

# The loopback DNS server outbound host names are resolved in (fixture `outbound_dns`).
pytest_plugins = ["tests.loopback_dns"]


@pytest.fixture(autouse=True, scope="session")
def _production_host_rule(django_test_environment) -> None:
    """Django's test set-up copies `ALLOWED_HOSTS` into a plain list (adding "testserver"),
    which would drop the host the routing gate admits. Put the production rule back, so every
    test is served under it."""
    settings.ALLOWED_HOSTS = RoutedHosts()


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database of its own, for commands run as separate processes."""
    name = f"lectern_fresh_{os.getpid()}"
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class ProvisionedTenant:
    tenant: Tenant
    host: str

    @property
    def schema(self) -> str:
        return self.tenant.schema_name


def _provision(slug: str, name: str) -> ProvisionedTenant:
    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        tenant = tenant_create(slug=slug, name=name, admin_email=f"admin@{slug}.example.com").tenant
    return ProvisionedTenant(tenant=tenant, host=f"{slug}.localhost")


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker) -> Iterator[None]:
    """Create the test database for every session, including one whose tests all commit
    for real from other threads or processes (pytest-django skips it for those)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def tenant_a(django_db_setup, django_db_blocker) -> ProvisionedTenant:
    with django_db_blocker.unblock():
        return _provision("alpha", "Alpha Learning")


@pytest.fixture(scope="session")
def tenant_b(django_db_setup, django_db_blocker) -> ProvisionedTenant:
    with django_db_blocker.unblock():
        return _provision("bravo", "Bravo Academy")


@pytest.fixture
def fresh_throttle_counters() -> Iterator[None]:
    """Every test client calls from 127.0.0.1: start the test with an unspent rate-limit
    budget, and leave one behind."""
    from core.redis_client import redis_client

    def clear() -> None:
        client = redis_client()
        for key in client.scan_iter("lectern:throttle:*"):
            client.delete(key)

    clear()
    yield
    clear()


@pytest.fixture
def committed_tenant(django_db_setup, django_db_blocker):
    """Make tenants whose rows are committed, for servers in other processes to see:
    `committed_tenant(slug)`; each is purged after the test (and before, if an interrupted
    run left it)."""
    from tests.live import tenant_drop_if_present

    made: list[str] = []

    def make(slug: str, name: str = "") -> Tenant:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            tenant_drop_if_present(slug)
            made.append(slug)
            return tenant_create(
                slug=slug, name=name or slug.title(), admin_email=f"admin@{slug}.example.com"
            ).tenant

    yield make
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        for slug in made:
            tenant_drop_if_present(slug)


@pytest.fixture
def redis_down(settings) -> Iterator[None]:
    """Redis unreachable for version stamps, throttles and locks: nothing listens on port 1
    of this machine."""
    from core.redis_client import redis_client

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    redis_client.cache_clear()
    yield
    redis_client.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_routes() -> Iterator[None]:
    """Routes and catalogue pages kept by an earlier test may show rows that test rolled
    back (their version stamps change only when a change commits)."""
    from tenant_apps.courses.catalogue_cache import catalogue_pages

    route_cache.clear()
    catalogue_pages.clear()
    yield
    route_cache.clear()
    catalogue_pages.clear()
    connection.set_schema_to_public()


@pytest.fixture
def in_tenant_a(tenant_a, db) -> Iterator[ProvisionedTenant]:
    with schema_context(tenant_a.schema):
        yield tenant_a


@pytest.fixture
def client_a(tenant_a, db) -> Client:
    return Client(HTTP_HOST=tenant_a.host)


@pytest.fixture
def client_b(tenant_b, db) -> Client:
    return Client(HTTP_HOST=tenant_b.host)


@pytest.fixture
def public_client(db) -> Client:
    return Client(HTTP_HOST="localhost")


@dataclass(frozen=True)
class OperatorLogin:
    user: object
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


@pytest.fixture
def operator(db) -> OperatorLogin:
    connection.set_schema_to_public()
    user = operator_create(email="ops@lectern.example.com", password="operator-pass-123")
    return OperatorLogin(user=user, token=operator_token_issue(user=user, name="tests").secret)


@pytest.fixture
def celery_eager_off() -> Iterator[None]:
    """Publish tasks to the broker for a real worker, instead of running them in-process."""
    from lectern.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@pytest.fixture
def make_person(db, tenant_a):
    """Create a person of a role in a tenant (tenant A unless told), through the service."""
    from tenant_apps.people.models import Role
    from tests.factories import UserFactory

    def make(role: str = Role.LEARNER, tenant: ProvisionedTenant | None = None, **fields):
        with schema_context((tenant or tenant_a).schema):
            return UserFactory(role=role, **fields)

    return make


@pytest.fixture
def portal(db, tenant_a):
    """A browser-like client on a tenant's host (tenant A unless told), signed in as `user`
    when one is given: a real session, stored in that tenant's schema."""

    def client_for(user=None, tenant: ProvisionedTenant | None = None) -> Client:
        tenant = tenant or tenant_a
        client = Client(HTTP_HOST=tenant.host)
        if user is not None:
            with schema_context(tenant.schema):
                client.force_login(user)
        return client

    return client_for


@pytest.fixture
def api(db, tenant_a):
    """An API client on a tenant's host (tenant A unless told), signed in as `user` with a
    real access token when one is given."""
    from rest_framework.test import APIClient

    from tenant_apps.people.tokens import token_pair_issue

    def client_for(user=None, tenant: ProvisionedTenant | None = None) -> APIClient:
        tenant = tenant or tenant_a
        client = APIClient(HTTP_HOST=tenant.host)
        if user is not None:
            with schema_context(tenant.schema):
                pair = token_pair_issue(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
        return client

    return client_for


@pytest.fixture
def worker(tmp_path):
    """A real Celery worker process on the real Redis, against the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lectern.settings.dev",
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "TENANT_SPARE_SCHEMAS": "0",
    }
    queue = f"test-{os.getpid()}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lectern",
            "worker",
            "-c",
            "1",
            "-P",
            "solo",
            "-Q",
            queue,
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        # A file, not a pipe nobody reads: a chatty worker must never block on its output.
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    yield queue, tmp_path / "mail"
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
