"""Provisioning through the operator API and the service: validation, conflicts,
idempotency, and a failure half-way that must leave nothing behind."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from shared_apps.tenants import schemas
from shared_apps.tenants.models import Domain, SpareSchema, Tenant
from shared_apps.tenants.services import tenant_create
from tests.shared_apps.conftest import provisioning_rows

API = "/api/platform/v1/tenants"


def create(client: Client, operator, payload: dict, **headers):
    return client.post(API, payload, content_type="application/json", **operator.headers, **headers)


def valid(**overrides) -> dict:
    return {"slug": "acme", "name": "Acme Corp", "admin_email": "boss@acme.example", **overrides}


def assert_nothing_created(slug: str = "acme") -> None:
    assert not Tenant.objects.filter(slug=slug).exists()
    assert not Domain.objects.filter(domain__startswith=f"{slug}.").exists()
    assert not schemas.schema_exists(f"t_{slug.replace('-', '_')}")


def test_create_tenant_returns_it_ready(
    public_client, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = create(public_client, operator, valid(plan="enterprise"))
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "acme"
    assert body["name"] == "Acme Corp"
    assert body["status"] == "active"
    assert body["plan"] == "enterprise"
    assert body["primary_domain"] == "acme.localhost"
    assert body["domains"] == [{"domain": "acme.localhost", "primary": True}]
    assert body["schema_name"] == "t_acme"
    assert schemas.schema_exists("t_acme")

    # The portal answers at once, and the first admin got a one-time link.
    assert Client(HTTP_HOST="acme.localhost").get("/accounts/login/").status_code == 200
    assert [m.to for m in mail.outbox] == [["boss@acme.example"]]
    assert "http://acme.localhost/accounts/set-password/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("ab", "slug_invalid"),  # too short
        ("a" * 64, "slug_invalid"),  # too long
        ("Acme", "slug_invalid"),  # upper case
        ("-acme", "slug_invalid"),
        ("acme-", "slug_invalid"),
        ("ac_me", "slug_invalid"),
        ("ac--me", "slug_invalid"),
        ("acmé", "slug_invalid"),
        ("www", "slug_reserved"),
        ("api", "slug_reserved"),
        ("admin", "slug_reserved"),
        ("public", "slug_reserved"),
        ("static", "slug_reserved"),
        ("mail", "slug_reserved"),
    ],
)
def test_bad_slug_is_400_naming_the_field(public_client, operator, slug, code):
    before = provisioning_rows()
    response = create(public_client, operator, valid(slug=slug))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert [d["field"] for d in error["details"]] == ["slug"]
    assert provisioning_rows() == before


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"slug": "acme", "name": "Acme"}, ["admin_email"]),
        (valid(admin_email="not-an-email"), ["admin_email"]),
        (valid(name=""), ["name"]),
        (valid(name="x" * 201), ["name"]),
        (valid(plan="Gold Plan!"), ["plan"]),
        ({}, ["slug", "name", "admin_email"]),
    ],
)
def test_bad_fields_are_400_naming_each(public_client, operator, payload, fields):
    before = provisioning_rows()
    response = create(public_client, operator, payload)
    assert response.status_code == 400
    assert sorted(d["field"] for d in response.json()["error"]["details"]) == sorted(fields)
    assert provisioning_rows() == before


def test_a_plan_code_nobody_defined_or_archived_is_refused_naming_the_field(
    public_client, operator
):
    from django.utils import timezone

    from billing.subscriptions.models import Plan

    before = provisioning_rows()
    missing = create(public_client, operator, valid(plan="gold"))
    assert missing.status_code == 400
    assert missing.json()["error"]["details"] == [
        {"field": "plan", "message": "No plan has the code “gold”."}
    ]
    Plan.objects.filter(code="business").update(archived_at=timezone.now())
    archived = create(public_client, operator, valid(plan="business"))
    assert archived.status_code == 400
    assert archived.json()["error"]["details"] == [
        {"field": "plan", "message": "The plan “business” is archived; choose a current plan."}
    ]
    assert provisioning_rows() == before
    assert_nothing_created()


def test_malformed_json_is_400_not_500(public_client, operator):
    before = provisioning_rows()
    response = public_client.post(
        API, "{not json", content_type="application/json", **operator.headers
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert provisioning_rows() == before


def test_taken_slug_is_409_case_insensitively(public_client, operator, tenant_a):
    before = provisioning_rows()
    response = create(public_client, operator, valid(slug="alpha"))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "slug_taken"
    assert error["details"] == [
        {"field": "slug", "message": "A tenant with this slug already exists."}
    ]
    assert provisioning_rows() == before


def test_same_idempotency_key_returns_the_same_tenant(public_client, operator):
    first = create(public_client, operator, valid(), HTTP_IDEMPOTENCY_KEY="key-1")
    again = create(public_client, operator, valid(), HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Tenant.objects.filter(slug="acme").count() == 1


def test_idempotency_key_reused_for_another_request_is_409(public_client, operator):
    create(public_client, operator, valid(), HTTP_IDEMPOTENCY_KEY="key-2")
    before = provisioning_rows()
    response = create(
        public_client, operator, valid(slug="other", name="Other"), HTTP_IDEMPOTENCY_KEY="key-2"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert provisioning_rows() == before
    assert_nothing_created("other")


def test_without_idempotency_key_a_repeat_is_a_conflict(public_client, operator):
    assert create(public_client, operator, valid()).status_code == 201
    before = provisioning_rows()
    assert create(public_client, operator, valid()).status_code == 409
    assert provisioning_rows() == before


def test_failure_halfway_leaves_no_row_no_domain_no_schema(public_client, operator):
    """The database refuses the last write of provisioning (the idempotency record): the
    tenant row, its domain, its schema and the claimed spare must all come back undone."""
    schemas.spare_schemas_top_up(target=1)
    spare = SpareSchema.objects.get().schema_name
    before = provisioning_rows()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_idempotency() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'database refuses'; END $$;
            CREATE TRIGGER refuse BEFORE INSERT ON public.tenants_idempotencyrecord
            FOR EACH ROW EXECUTE FUNCTION refuse_idempotency();
            """
        )
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    response = create(client, operator, valid(), HTTP_IDEMPOTENCY_KEY="key-3")

    assert response.status_code == 500
    assert provisioning_rows() == before  # no tenant, domain or record; the spare unclaimed
    assert_nothing_created()
    assert schemas.schema_exists(spare)


def test_failure_when_the_schema_name_is_taken_leaves_nothing(db):
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "t_acme"')
    before = provisioning_rows()
    with pytest.raises(Exception, match="already exists"):
        tenant_create(slug="acme", name="Acme", admin_email="boss@acme.example")
    assert provisioning_rows() == before
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 't_acme'"
        )
        assert cursor.fetchone() == (0,)  # the pre-existing schema is still empty


def test_provisioning_does_not_run_migrations(db, django_assert_max_num_queries):
    """The schema comes from a copy or a spare: a fixed number of statements (30, and
    the one read of the plan the tenant is put on)."""
    with django_assert_max_num_queries(31):
        tenant_create(slug="quick", name="Quick", admin_email="a@quick.example")


def forget_broker_connections(app) -> None:
    """Pooled connections and producers keep the broker URL they were made with."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(celery_eager_off):
    """The Celery broker unreachable: nothing listens on port 1 of this machine."""
    from lectern.celery import app

    names = ("broker_url", "broker_read_url", "broker_write_url")
    previous = {name: app.conf[name] for name in names}
    app.conf.update(dict.fromkeys(names, "redis://127.0.0.1:1/0"))
    forget_broker_connections(app)
    yield
    app.conf.update(previous)
    forget_broker_connections(app)


def test_broker_outage_after_commit_does_not_fail_the_creation(
    db, broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        result = tenant_create(slug="offline", name="Offline", admin_email="a@offline.example")
    assert result.created is True
    assert Tenant.objects.filter(slug="offline", status="active").exists()
    assert any("Error calling" in r.getMessage() for r in caplog.records)
