"""The webhooks API (/api/v1/webhooks/...): endpoint CRUD with the secret in the create and
rotate answers only, the delivery log with its filters, resend / replay / test, health, the
event-type catalogue (also in the OpenAPI document); other tenants' ids are 404 and every
role but admin is refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import yaml
from django.utils import timezone
from django_tenants.utils import schema_context

from core.secret_box import secret_open
from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.people.models import Role
from tests.webhooks.log_rows import attempt_make, message_make
from webhooks.catalogue import EVENT_TYPE_NAMES
from webhooks.models import AttemptTrigger, MessageStatus, WebhookEndpoint, WebhookMessage
from webhooks.services.endpoints import endpoint_create

PUBLIC_URL = "https://93.184.215.14/hooks"
BASE = "/api/v1/webhooks"


@pytest.fixture
def admin(make_person):
    return make_person(Role.ADMIN, email="hooks-api-admin@example.com")


@pytest.fixture
def admin_api(api, admin):
    return api(admin)


def _endpoint(tenant, **values) -> WebhookEndpoint:
    with schema_context(tenant.schema):
        return endpoint_create(actor=None, **{"url": PUBLIC_URL, **values})[0]


def test_endpoint_crud_hands_the_secret_over_once(admin_api, tenant_a):
    created = admin_api.post(
        f"{BASE}/endpoints",
        {
            "url": PUBLIC_URL,
            "description": "CRM",
            "event_types": ["course.*"],
            "custom_headers": {"X-Partner": "acme"},
            "rate_limit_per_second": 5,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("whsec_")
    assert body["event_types"] == ["course.*"]
    assert body["custom_headers"] == {"X-Partner": "acme"}
    with schema_context(tenant_a.schema):
        stored = WebhookEndpoint.objects.get(pk=body["id"])
        assert secret_open(stored.secret_sealed) == secret

    detail = f"{BASE}/endpoints/{body['id']}"
    answers = [
        admin_api.get(f"{BASE}/endpoints"),
        admin_api.get(detail),
        admin_api.patch(detail, {"description": "CRM (prod)", "enabled": False}, format="json"),
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert secret not in answer.content.decode()
        assert "whsec_" not in answer.content.decode()
        assert b'"secret"' not in answer.content
    assert answers[2].json()["description"] == "CRM (prod)"
    assert answers[2].json()["enabled"] is False

    assert admin_api.delete(detail).status_code == 204
    assert admin_api.get(detail).status_code == 404
    with schema_context(tenant_a.schema):
        assert not WebhookEndpoint.objects.filter(pk=body["id"]).exists()


def test_a_wrong_value_is_refused_naming_its_field(admin_api, tenant_a):
    answer = admin_api.post(
        f"{BASE}/endpoints",
        {
            "url": "https://localhost/hooks",
            "event_types": ["course.*", "bogus.type"],
            "custom_headers": {"webhook-id": "x"},
        },
        format="json",
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "webhook_endpoint_invalid"
    fields = {detail["field"] for detail in error["details"]}
    assert fields == {"url", "event_types[1]", "custom_headers.webhook-id"}
    with schema_context(tenant_a.schema):
        assert not WebhookEndpoint.objects.exists()


def test_rotating_answers_the_new_secret_once(admin_api, tenant_a):
    endpoint = _endpoint(tenant_a)
    answer = admin_api.post(f"{BASE}/endpoints/{endpoint.pk}/rotate-secret")
    assert answer.status_code == 200
    secret = answer.json()["secret"]
    assert secret.startswith("whsec_")
    assert answer.json()["previous_secret_expires_at"]
    later = admin_api.get(f"{BASE}/endpoints/{endpoint.pk}")
    assert secret not in later.content.decode()
    assert later.json()["previous_secret_expires_at"] == answer.json()["previous_secret_expires_at"]
    with schema_context(tenant_a.schema):
        assert secret_open(WebhookEndpoint.objects.get(pk=endpoint.pk).secret_sealed) == secret


def test_another_tenants_ids_are_not_found(admin_api, tenant_a, tenant_b):
    theirs = _endpoint(tenant_b, description="Bravo's")
    with schema_context(tenant_b.schema):
        their_message = message_make(theirs)
    with schema_context(tenant_a.schema):
        assert not WebhookEndpoint.objects.filter(pk=theirs.pk).exists()
    for method, path in (
        ("get", f"{BASE}/endpoints/{theirs.pk}"),
        ("patch", f"{BASE}/endpoints/{theirs.pk}"),
        ("delete", f"{BASE}/endpoints/{theirs.pk}"),
        ("post", f"{BASE}/endpoints/{theirs.pk}/rotate-secret"),
        ("post", f"{BASE}/endpoints/{theirs.pk}/test"),
        ("get", f"{BASE}/endpoints/{theirs.pk}/health"),
        ("get", f"{BASE}/messages/{their_message.message_id}"),
        ("post", f"{BASE}/messages/{their_message.message_id}/resend"),
    ):
        answer = getattr(admin_api, method)(path, {}, format="json")
        assert answer.status_code == 404, (method, path)
    replay = admin_api.post(
        f"{BASE}/endpoints/{theirs.pk}/replay", {"since": "2020-01-01T00:00:00Z"}, format="json"
    )
    assert replay.status_code == 404
    # Their messages do not show in our log, even filtered by their endpoint's id.
    listed = admin_api.get(f"{BASE}/messages", {"endpoint": theirs.pk})
    assert listed.json()["count"] == 0
    with schema_context(tenant_b.schema):
        kept = WebhookEndpoint.objects.get(pk=theirs.pk)
        assert kept.description == "Bravo's" and kept.previous_secret_sealed == ""
        assert WebhookMessage.objects.filter(endpoint=kept).count() == 1


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.CONTENT_CREATOR, Role.LEARNER])
def test_every_role_but_admin_is_refused(api, make_person, tenant_a, role):
    endpoint = _endpoint(tenant_a, description="Kept")
    client = api(make_person(role, email=f"{role}-hooks@example.com"))
    for method, path, body in (
        ("get", f"{BASE}/endpoints", None),
        ("post", f"{BASE}/endpoints", {"url": PUBLIC_URL}),
        ("get", f"{BASE}/endpoints/{endpoint.pk}", None),
        ("patch", f"{BASE}/endpoints/{endpoint.pk}", {"description": "Taken"}),
        ("delete", f"{BASE}/endpoints/{endpoint.pk}", None),
        ("post", f"{BASE}/endpoints/{endpoint.pk}/rotate-secret", None),
        ("post", f"{BASE}/endpoints/{endpoint.pk}/test", None),
        ("get", f"{BASE}/messages", None),
        ("get", f"{BASE}/attempts", None),
        ("get", f"{BASE}/event-types", None),
    ):
        answer = getattr(client, method)(path, body, format="json")
        assert answer.status_code == 403, (role, method, path)
    with schema_context(tenant_a.schema):
        assert list(WebhookEndpoint.objects.values_list("description", flat=True)) == ["Kept"]
        assert WebhookEndpoint.objects.get().previous_secret_sealed == ""
        assert not WebhookMessage.objects.exists()


def test_nobody_signed_in_is_refused(api, tenant_a):
    assert api().get(f"{BASE}/endpoints").status_code == 401
    assert api().get(f"{BASE}/event-types").status_code == 401


def test_messages_are_filtered_and_paged(admin_api, tenant_a):
    with schema_context(tenant_a.schema):
        crm = endpoint_create(actor=None, url=PUBLIC_URL, description="CRM")[0]
        hr = endpoint_create(actor=None, url=PUBLIC_URL + "/hr", description="HR")[0]
        old = message_make(crm, "user.created", created_at=timezone.now() - timedelta(days=3))
        failing = message_make(crm, "course.published", status=MessageStatus.FAILING)
        message_make(crm, "course.archived")
        message_make(hr, "course.published")

    def ids(**query) -> list[str]:
        answer = admin_api.get(f"{BASE}/messages", query)
        assert answer.status_code == 200, answer.content
        return [row["message_id"] for row in answer.json()["results"]]

    assert len(ids()) == 4
    assert len(ids(endpoint=crm.pk)) == 3
    assert ids(status="failing") == [failing.message_id]
    assert len(ids(event_type="course.*", endpoint=crm.pk)) == 2
    assert ids(event_type="user.created") == [old.message_id]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert old.message_id not in ids(since=since) and len(ids(since=since)) == 3
    assert ids(until=since) == [old.message_id]
    page = admin_api.get(f"{BASE}/messages", {"page_size": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2
    bad = admin_api.get(f"{BASE}/messages", {"status": "lost", "since": "yesterday"})
    assert bad.status_code == 400
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"status", "since"}


def test_a_message_shows_its_attempts_and_can_be_resent(admin_api, tenant_a):
    with schema_context(tenant_a.schema):
        endpoint = endpoint_create(actor=None, url=PUBLIC_URL)[0]
        message = message_make(endpoint, status=MessageStatus.FAILED)
        attempt_make(message, status_code=500, ago=timedelta(minutes=9))
        attempt_make(message, status_code=None, error="timed out after 15 s")
    answer = admin_api.get(f"{BASE}/messages/{message.message_id}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["payload"]["type"] == "course.published"
    assert [a["status_code"] for a in body["attempts"]] == [None, 500]
    assert body["attempts"][0]["error"] == "timed out after 15 s"
    signature = body["attempts"][1]["request_headers"]["webhook-signature"]
    assert signature.startswith("v1,")
    attempts = admin_api.get(f"{BASE}/attempts", {"message": message.message_id})
    assert attempts.json()["count"] == 2
    failed = admin_api.get(f"{BASE}/attempts", {"endpoint": endpoint.pk, "succeeded": "false"})
    assert failed.json()["count"] == 2

    resent = admin_api.post(f"{BASE}/messages/{message.message_id}/resend")
    assert resent.status_code == 202
    assert resent.json()["message_id"] == message.message_id
    with schema_context(tenant_a.schema):
        message.refresh_from_db()
        # Queued again, same webhook-id; the delivery engine sends it.
        assert message.status in (MessageStatus.PENDING, MessageStatus.DELIVERED)


def test_replay_and_test_events(admin_api, admin, tenant_a):
    with schema_context(tenant_a.schema):
        endpoint = endpoint_create(actor=None, url=PUBLIC_URL)[0]
        message_make(endpoint, created_at=timezone.now() - timedelta(days=2))
        message_make(endpoint, created_at=timezone.now() - timedelta(hours=1))
        message_make(endpoint, created_at=timezone.now() - timedelta(minutes=1))
    since = (timezone.now() - timedelta(hours=2)).isoformat()
    replay = admin_api.post(
        f"{BASE}/endpoints/{endpoint.pk}/replay", {"since": since}, format="json"
    )
    assert replay.status_code == 202
    assert replay.json() == {"messages": 2}
    with schema_context(tenant_a.schema):
        entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_MESSAGES_REPLAYED)
        assert entry.actor_id == admin.pk
    missing = admin_api.post(f"{BASE}/endpoints/{endpoint.pk}/replay", {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"]["details"][0]["field"] == "since"

    test = admin_api.post(f"{BASE}/endpoints/{endpoint.pk}/test")
    assert test.status_code == 202
    assert test.json()["event_type"] == "webhook.test"
    listed = admin_api.get(f"{BASE}/messages", {"event_type": "webhook.test"}).json()
    assert [row["message_id"] for row in listed["results"]] == [test.json()["message_id"]]


def test_health_gives_success_rate_and_latency(admin_api, tenant_a):
    with schema_context(tenant_a.schema):
        endpoint = endpoint_create(actor=None, url=PUBLIC_URL)[0]
        message = message_make(endpoint)
        for latency in (100, 200, 300):
            attempt_make(message, status_code=200, latency_ms=latency)
        attempt_make(message, status_code=503, latency_ms=400)
        attempt_make(message, status_code=200, latency_ms=50, ago=timedelta(hours=30))
    answer = admin_api.get(f"{BASE}/endpoints/{endpoint.pk}/health")
    assert answer.status_code == 200
    health = answer.json()
    assert health["attempts"] == 4 and health["succeeded"] == 3 and health["failed"] == 1
    assert health["success_rate"] == 0.75
    assert health["latency_ms"] == {"p50": 250, "p95": 385}
    assert len(health["per_hour"]) == 24
    assert sum(row["attempts"] for row in health["per_hour"]) == 4
    busy = [row for row in health["per_hour"] if row["attempts"]]
    assert sum(row["latency_ms"]["p50"] or 0 for row in busy) > 0
    assert all(
        row["latency_ms"] == {"p50": None, "p95": None}
        for row in health["per_hour"]
        if not row["attempts"]
    )
    assert admin_api.get(f"{BASE}/endpoints/{endpoint.pk}/health", {"hours": 0}).status_code == 400


def test_the_event_type_catalogue_has_a_schema_per_type(admin_api):
    answer = admin_api.get(f"{BASE}/event-types")
    assert answer.status_code == 200
    entries = {entry["name"]: entry for entry in answer.json()}
    assert tuple(entries) == EVENT_TYPE_NAMES
    published = entries["course.published"]["schema"]
    assert published["properties"]["type"] == {"const": "course.published"}
    assert set(published["required"]) == {"type", "timestamp", "data", "tenant"}
    assert "id" in published["properties"]["data"]["required"]
    # The address with a trailing slash leads there (the API's one rule for slashes).
    slashed = admin_api.get(f"{BASE}/event-types/")
    assert (slashed.status_code, slashed["Location"]) == (308, f"{BASE}/event-types")


def test_the_openapi_document_publishes_the_catalogue_and_the_routes(client_a):
    document = yaml.safe_load(client_a.get("/api/v1/schema/").content)
    schemas = document["components"]["schemas"]
    for name in EVENT_TYPE_NAMES:
        assert f"WebhookEvent_{name}" in schemas
    enrolled = schemas["WebhookEvent_enrollment.created"]
    assert enrolled["properties"]["type"] == {"enum": ["enrollment.created"]}
    assert enrolled["properties"]["data"]["properties"]["due_at"]["nullable"] is True
    for path in (
        "/api/v1/webhooks/endpoints",
        "/api/v1/webhooks/endpoints/{endpoint_id}/rotate-secret",
        "/api/v1/webhooks/endpoints/{endpoint_id}/replay",
        "/api/v1/webhooks/messages",
        "/api/v1/webhooks/messages/{message_id}/resend",
        "/api/v1/webhooks/attempts",
        "/api/v1/webhooks/event-types",
    ):
        assert path in document["paths"], path
    assert "ordering is not promised" in json.dumps(document["paths"])
    create = document["paths"]["/api/v1/webhooks/endpoints"]["post"]
    created = create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert "secret" in schemas[created.rsplit("/", 1)[1]]["properties"]
    assert "secret" not in schemas["WebhookEndpointOutput"]["properties"]


def test_attempt_triggers_are_named(admin_api, tenant_a):
    with schema_context(tenant_a.schema):
        endpoint = endpoint_create(actor=None, url=PUBLIC_URL)[0]
        attempt_make(message_make(endpoint), trigger=AttemptTrigger.REPLAY)
    rows = admin_api.get(f"{BASE}/attempts").json()["results"]
    assert [row["trigger"] for row in rows] == ["replay"]
