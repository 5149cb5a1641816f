"""Webhook endpoints as admins set them up: every refusal names its field, destinations on
this platform's own network are refused when saved (a hostname resolving to loopback too),
the secret is handed back once and sealed at rest, rotation keeps the previous secret for
24 hours, and the audit log records each change without a secret."""

from __future__ import annotations

import json
from datetime import timedelta

import jsonschema
import pytest
from django.utils import timezone

from core.errors import ValidationFailed
from core.secret_box import secret_open
from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.events.models import EventType
from tenant_apps.people.models import Role
from webhooks.catalogue import EVENT_TYPE_NAMES, EVENT_TYPES, event_type_entry
from webhooks.models import WebhookEndpoint
from webhooks.services import endpoints
from webhooks.services import messages as webhook_messages
from webhooks.services.endpoints import (
    endpoint_create,
    endpoint_delete,
    endpoint_enable,
    endpoint_secret_rotate,
    endpoint_update,
)

PUBLIC_URL = "https://93.184.215.14/hooks/lectern"


@pytest.fixture
def admin(in_tenant_a, make_person):
    return make_person(Role.ADMIN, email="hooks-admin@example.com")


def _refusal(**values) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as refused:
        endpoint_create(actor=None, **{"url": PUBLIC_URL, **values})
    return {detail.field: detail.message for detail in refused.value.details}


def _audit_text(endpoint_id: int) -> str:
    entries = AuditEntry.objects.filter(target_type="webhookendpoint", target_id=str(endpoint_id))
    return json.dumps([[entry.action, entry.before, entry.after] for entry in entries])


def test_a_new_endpoint_gets_a_secret_shown_once_and_sealed_at_rest(admin):
    endpoint, secret = endpoint_create(
        actor=admin,
        url=PUBLIC_URL,
        description="CRM",
        event_types=["course.*", "user.created"],
        custom_headers={"Authorization": "Bearer partner-token-123"},
        rate_limit_per_second=50,
    )
    assert secret.startswith("whsec_") and len(secret) > 30
    stored = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert secret not in stored.secret_sealed
    assert secret_open(stored.secret_sealed) == secret
    assert stored.event_types == ["course.*", "user.created"]
    assert stored.rate_limit_per_second == 50
    assert stored.created_by_id == admin.pk

    entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_ENDPOINT_CREATED)
    assert entry.actor_id == admin.pk
    assert entry.after["custom_header_names"] == ["Authorization"]
    text = _audit_text(endpoint.pk)
    assert secret not in text and "whsec_" not in text
    assert "partner-token-123" not in text


def test_each_refusal_names_its_field(in_tenant_a):
    problems = _refusal(
        description="x" * 201,
        event_types=["course.*", "nope.thing", "Course Published", "*.completed"],
        custom_headers={
            "Host": "evil.example",
            "webhook-signature": "v1,forged",
            "Content-Length": "0",
            "Transfer-Encoding": "chunked",
            "X-Split": "a\r\nX-Injected: 1",
            "Bad Name": "v",
            "X-Fine": "ok",
        },
        rate_limit_per_second=20_000,
    )
    assert set(problems) == {
        "description",
        "event_types[1]",
        "event_types[2]",
        "custom_headers.Host",
        "custom_headers.webhook-signature",
        "custom_headers.Content-Length",
        "custom_headers.Transfer-Encoding",
        "custom_headers.X-Split",
        "custom_headers.Bad Name",
        "rate_limit_per_second",
    }
    assert problems["event_types[1]"] == "“nope.thing” matches no event type Lectern sends."
    assert problems["custom_headers.Host"] == "Lectern sets Host itself; choose another header."
    assert not WebhookEndpoint.objects.exists()
    assert set(_refusal(rate_limit_per_second=-1)) == {"rate_limit_per_second"}
    assert set(_refusal(rate_limit_per_second=True)) == {"rate_limit_per_second"}
    assert set(_refusal(event_types="course.*")) == {"event_types"}
    assert set(_refusal(url="")) == {"url"}


def test_authorization_is_a_header_an_admin_may_set(in_tenant_a):
    endpoint, _ = endpoint_create(
        actor=None, url=PUBLIC_URL, custom_headers={"Authorization": "Basic dXNlcjpwYXNz"}
    )
    assert endpoint.custom_headers == {"Authorization": "Basic dXNlcjpwYXNz"}


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://localhost/hook", "localhost resolves to 127.0.0.1 is a loopback address"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("https://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("https://[::1]/hook", "loopback"),
        ("https://[fd00:ec2::254]/", "cloud metadata"),
        ("https://100.64.0.1/", "reserved"),
        ("https://0.0.0.0/", "reserved"),
        ("http://93.184.215.14/hook", "https://"),
        ("https://user:secret@93.184.215.14/hook", "credentials"),
        ("ftp://93.184.215.14/", "https://"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_destinations_on_our_own_network_are_refused_when_saved(in_tenant_a, url, words):
    problems = _refusal(url=url)
    assert list(problems) == ["url"]
    assert words in problems["url"]
    assert not WebhookEndpoint.objects.exists()


def test_a_change_of_url_to_loopback_is_refused_and_nothing_changes(admin):
    endpoint, _ = endpoint_create(actor=admin, url=PUBLIC_URL)
    with pytest.raises(ValidationFailed) as refused:
        endpoint_update(endpoint=endpoint, actor=admin, url="https://localhost:8443/x")
    assert [detail.field for detail in refused.value.details] == ["url"]
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == PUBLIC_URL
    assert not AuditEntry.objects.filter(action=AuditAction.WEBHOOK_ENDPOINT_CHANGED).exists()


def test_the_allow_list_admits_loopback_for_development(in_tenant_a, settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_DESTINATION_ALLOWLIST = ["127.0.0.0/8"]
    endpoint, _ = endpoint_create(actor=None, url="http://localhost:8099/receiver")
    assert endpoint.url == "http://localhost:8099/receiver"
    # The allow-list admits what it names, nothing more.
    assert "private" in _refusal(url="http://10.0.0.1/")["url"]


def test_rotation_keeps_the_previous_secret_for_24_hours(admin):
    endpoint, first = endpoint_create(actor=admin, url=PUBLIC_URL)
    before = timezone.now()
    second = endpoint_secret_rotate(endpoint=endpoint, actor=admin)
    stored = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert second.startswith("whsec_") and second != first
    assert secret_open(stored.secret_sealed) == second
    assert secret_open(stored.previous_secret_sealed) == first
    overlap = stored.previous_secret_expires_at - before
    assert timedelta(hours=23, minutes=59) < overlap <= timedelta(hours=24, seconds=5)
    # Rotating again: the newest two sign, the first stops now.
    third = endpoint_secret_rotate(endpoint=endpoint, actor=admin)
    stored.refresh_from_db()
    assert secret_open(stored.secret_sealed) == third
    assert secret_open(stored.previous_secret_sealed) == second
    rotations = AuditEntry.objects.filter(action=AuditAction.WEBHOOK_SECRET_ROTATED)
    assert rotations.count() == 2
    text = _audit_text(endpoint.pk)
    for secret in (first, second, third):
        assert secret not in text
        assert secret.removeprefix("whsec_") not in text


def test_changes_are_audited_by_field_without_header_values_or_url_query(admin):
    endpoint, _ = endpoint_create(actor=admin, url=PUBLIC_URL)
    endpoint_update(
        endpoint=endpoint,
        actor=admin,
        url=PUBLIC_URL + "?token=query-secret-9",
        custom_headers={"X-Api-Key": "header-secret-7"},
        description="Partner",
    )
    entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_ENDPOINT_CHANGED)
    assert set(entry.after) == {"url", "custom_header_names", "description"}
    assert entry.after["url"] == PUBLIC_URL + "?…"
    assert entry.after["custom_header_names"] == ["X-Api-Key"]
    text = _audit_text(endpoint.pk)
    assert "query-secret-9" not in text and "header-secret-7" not in text
    # A change that changes nothing is not an audit entry.
    endpoint_update(endpoint=endpoint, actor=admin, description="Partner")
    assert AuditEntry.objects.filter(action=AuditAction.WEBHOOK_ENDPOINT_CHANGED).count() == 1


def test_switching_on_again_clears_why_and_since_when_it_failed(admin):
    endpoint, _ = endpoint_create(actor=admin, url=PUBLIC_URL)
    # As the delivery engine leaves an endpoint it switched off after a 410 Gone.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False,
        disabled_reason="The receiver answered 410 Gone.",
        disabled_at=timezone.now(),
        failing_since=timezone.now() - timedelta(days=1),
    )
    endpoint_enable(endpoint=endpoint, actor=admin)
    stored = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert stored.enabled is True
    assert (stored.disabled_reason, stored.disabled_at, stored.failing_since) == ("", None, None)
    entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_ENDPOINT_CHANGED)
    assert entry.before == {"enabled": False} and entry.after == {"enabled": True}


def test_deleting_is_audited(admin):
    endpoint, _ = endpoint_create(actor=admin, url=PUBLIC_URL, description="Old CRM")
    endpoint_delete(endpoint=endpoint, actor=admin)
    assert not WebhookEndpoint.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.WEBHOOK_ENDPOINT_DELETED)
    assert entry.before["description"] == "Old CRM"
    assert entry.target_label == "https://93.184.215.14/hooks/lectern"


def test_an_id_of_nothing_here_is_not_found(in_tenant_a):
    from core.errors import NotFound

    with pytest.raises(NotFound):
        endpoints.endpoint_get(endpoint_id=987654)


def test_the_catalogue_names_every_event_type_with_a_valid_schema(in_tenant_a):
    for event_type in EventType.values:
        assert event_type in EVENT_TYPE_NAMES
    for added in (
        "enrollment.cancelled",
        "enrollment.activated",
        "certificate.revoked",
        "course.updated",
        "lesson.completed",
        "user.role_changed",
        "webhook.test",
    ):
        assert added in EVENT_TYPE_NAMES
    assert len(set(EVENT_TYPE_NAMES)) == len(EVENT_TYPE_NAMES)
    for entry in EVENT_TYPES:
        jsonschema.Draft202012Validator.check_schema(entry.payload_schema())
        assert str(entry.description)


def test_a_test_event_body_matches_its_schema(admin):
    endpoint, _ = endpoint_create(actor=admin, url=PUBLIC_URL)
    message = webhook_messages.test_event_send(endpoint=endpoint, actor=admin)
    schema = event_type_entry("webhook.test").payload_schema()
    jsonschema.validate(message.payload, schema, format_checker=jsonschema.FormatChecker())
    wrong = {**message.payload, "type": "course.published"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(wrong, schema)


def test_the_bodies_the_delivery_engine_sends_match_the_catalogue(admin, make_person):
    """Events written by the real services become the bodies the engine sends, each checked
    against its event type's schema."""
    from tenant_apps.courses.services import course_archive
    from tenant_apps.enrollments.services import enrollment_cancel, enrollment_self_enroll
    from tenant_apps.events.models import OutboxEvent
    from tenant_apps.progress.services import lesson_complete
    from tests.builders import course_build, lessons_of
    from webhooks.services import payloads

    learner = make_person(Role.LEARNER, email="hooks-schema-learner@example.com")
    course = course_build(owner=admin, certificate_enabled=True)
    enrollment = enrollment_self_enroll(user=learner, course=course)
    for lesson in lessons_of(course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    other = course_build(owner=admin)
    enrollment_cancel(enrollment=enrollment_self_enroll(user=learner, course=other), actor=admin)
    course_archive(course=other, actor=admin)
    checked = set()
    for event in OutboxEvent.objects.order_by("id"):
        entry = event_type_entry(event.event_type)
        assert entry is not None, event.event_type
        body = json.loads(payloads.body_bytes(payloads.event_body(event)))
        jsonschema.validate(body, entry.payload_schema(), format_checker=jsonschema.FormatChecker())
        checked.add(event.event_type)
    expected = {
        "user.created",
        "course.published",
        "enrollment.created",
        "course.enrolled",
        "lesson.completed",
        "course.completed",
        "certificate.issued",
        "enrollment.cancelled",
        "course.archived",
    }
    # The types this branch's services write (the relay helper's add lesson.completed, ...).
    assert expected & set(EventType.values) <= checked
