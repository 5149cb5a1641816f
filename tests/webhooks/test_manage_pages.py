"""The admin's webhook pages: add an endpoint (errors next to their fields, what was typed
kept), the secret shown once (and not kept readable in the session), rotation, test events,
replay, resend, the delivery log with its filters and each attempt's request and answer,
the health view; bounded queries; other roles refused; another tenant's ids not found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tenants.utils import schema_context

from core.secret_box import secret_open
from tenant_apps.people.models import Role
from tests.webhooks.log_rows import attempt_make, message_make
from webhooks.models import MessageStatus, WebhookEndpoint, WebhookMessage
from webhooks.services.endpoints import endpoint_create

PUBLIC_URL = "https://93.184.215.14/hooks"


@pytest.fixture
def admin(make_person):
    return make_person(Role.ADMIN, email="hooks-pages-admin@example.com")


@pytest.fixture
def client(portal, admin):
    return portal(admin)


def _endpoint(tenant, **values) -> WebhookEndpoint:
    with schema_context(tenant.schema):
        return endpoint_create(actor=None, **{"url": PUBLIC_URL, **values})[0]


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(client, tenant_a):
    assert client.get("/manage/webhooks/add/").status_code == 200
    answer = client.post(
        "/manage/webhooks/add/",
        {
            "url": PUBLIC_URL,
            "description": "CRM",
            "event_types": "course.*, user.created",
            "custom_headers": "Authorization: Bearer abc\nX-Partner: acme",
            "rate_limit_per_second": "10",
            "enabled": "on",
        },
    )
    assert answer.status_code == 302
    with schema_context(tenant_a.schema):
        endpoint = WebhookEndpoint.objects.get()
        secret = secret_open(endpoint.secret_sealed)
        # Waiting for the next page, the secret is sealed in the session, never readable.
        for session in Session.objects.all():
            assert secret not in str(session.get_decoded())
    assert answer["Location"] == f"/manage/webhooks/endpoints/{endpoint.pk}/secret/"
    assert endpoint.event_types == ["course.*", "user.created"]
    assert endpoint.custom_headers == {"Authorization": "Bearer abc", "X-Partner": "acme"}
    assert endpoint.rate_limit_per_second == 10

    shown = client.get(answer["Location"])
    assert secret in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    again = client.get(answer["Location"]).content.decode()
    assert secret not in again and "is not shown again" in again
    page = client.get(f"/manage/webhooks/endpoints/{endpoint.pk}/").content.decode()
    assert secret not in page and "whsec_" not in page
    assert "Authorization: Bearer abc" in page  # the form shows the headers to edit


def test_errors_sit_next_to_their_fields_and_what_was_typed_stays(client, tenant_a):
    answer = client.post(
        "/manage/webhooks/add/",
        {
            "url": "https://localhost/hooks",
            "description": "Typed",
            "event_types": "course.* bogus.type",
            "custom_headers": "Host: evil.example",
            "rate_limit_per_second": "0",
        },
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'id="id_url_error"' in page and "loopback" in page
    assert 'value="https://localhost/hooks"' in page and 'value="Typed"' in page
    assert 'id="id_event_types_error"' in page and "bogus.type" in page
    assert 'id="id_custom_headers_error"' in page and "Host: Lectern sets Host itself" in page
    assert 'aria-invalid="true"' in page
    assert 'class="error-summary"' in page
    with schema_context(tenant_a.schema):
        assert not WebhookEndpoint.objects.exists()

    shapeless = client.post(
        "/manage/webhooks/add/",
        {"url": PUBLIC_URL, "custom_headers": "no colon here", "rate_limit_per_second": "0"},
    )
    assert shapeless.status_code == 400
    assert "this line is not: no colon here" in shapeless.content.decode()


def test_editing_and_switching_on_again(client, tenant_a):
    endpoint = _endpoint(tenant_a, description="Before")
    answer = client.post(
        f"/manage/webhooks/endpoints/{endpoint.pk}/",
        {
            "url": PUBLIC_URL,
            "description": "After",
            "event_types": "",
            "custom_headers": "",
            "rate_limit_per_second": "3",
        },
    )
    assert answer.status_code == 302
    with schema_context(tenant_a.schema):
        endpoint.refresh_from_db()
        assert (endpoint.description, endpoint.enabled, endpoint.rate_limit_per_second) == (
            "After",
            False,
            3,
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            disabled_reason="The receiver answered 410 Gone.",
            failing_since=timezone.now() - timedelta(days=5),
        )
    page = client.get("/manage/webhooks/").content.decode()
    assert "The receiver answered 410 Gone." in page
    assert client.post(f"/manage/webhooks/endpoints/{endpoint.pk}/enable/").status_code == 302
    with schema_context(tenant_a.schema):
        endpoint.refresh_from_db()
        assert (endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since) == (
            True,
            "",
            None,
        )


def test_rotating_shows_the_new_secret_once(client, tenant_a):
    endpoint = _endpoint(tenant_a)
    assert client.get(f"/manage/webhooks/endpoints/{endpoint.pk}/rotate/").status_code == 405
    answer = client.post(f"/manage/webhooks/endpoints/{endpoint.pk}/rotate/")
    assert answer["Location"] == f"/manage/webhooks/endpoints/{endpoint.pk}/secret/"
    with schema_context(tenant_a.schema):
        endpoint.refresh_from_db()
        secret = secret_open(endpoint.secret_sealed)
    page = client.get(answer["Location"]).content.decode()
    assert secret in page and "The previous secret also signs until" in page
    assert secret not in client.get(answer["Location"]).content.decode()
    page = client.get(f"/manage/webhooks/endpoints/{endpoint.pk}/").content.decode()
    assert "A rotation is under way" in page


def test_a_secret_waiting_for_one_endpoint_is_not_shown_on_another(client, tenant_a):
    first, second = _endpoint(tenant_a), _endpoint(tenant_a)
    client.post(f"/manage/webhooks/endpoints/{first.pk}/rotate/")
    with schema_context(tenant_a.schema):
        first.refresh_from_db()
        secret = secret_open(first.secret_sealed)
    assert (
        secret not in client.get(f"/manage/webhooks/endpoints/{second.pk}/secret/").content.decode()
    )


def test_test_events_replay_and_the_delivery_log(client, tenant_a):
    endpoint = _endpoint(tenant_a, description="CRM")
    answer = client.post(f"/manage/webhooks/endpoints/{endpoint.pk}/test/")
    assert answer.status_code == 302
    assert answer["Location"] == f"/manage/webhooks/log/?endpoint={endpoint.pk}"
    log = client.get(answer["Location"]).content.decode()
    with schema_context(tenant_a.schema):
        test_message = WebhookMessage.objects.get(event_type="webhook.test")
    assert test_message.message_id in log and "Sent a test event" in log
    assert "ordering" in log or "order" in log

    with schema_context(tenant_a.schema):
        message_make(endpoint, "course.published", created_at=timezone.now() - timedelta(days=2))
        failing = message_make(endpoint, "user.created", status=MessageStatus.FAILING)
    filtered = client.get("/manage/webhooks/log/", {"status": "failing"}).content.decode()
    assert failing.message_id in filtered and test_message.message_id not in filtered
    grouped = client.get("/manage/webhooks/log/", {"event_type": "user.*"}).content.decode()
    assert failing.message_id in grouped and test_message.message_id not in grouped
    wrong = client.get("/manage/webhooks/log/", {"since": "yesterday", "status": "lost"})
    assert wrong.status_code == 400
    assert 'id="id_since_error"' in wrong.content.decode()
    assert 'id="id_status_error"' in wrong.content.decode()

    since = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    replayed = client.post(f"/manage/webhooks/endpoints/{endpoint.pk}/replay/", {"since": since})
    assert replayed.status_code == 302
    assert "Sending 2 messages again." in client.get(replayed["Location"]).content.decode()
    refused = client.post(f"/manage/webhooks/endpoints/{endpoint.pk}/replay/", {"since": ""})
    assert refused.status_code == 400 and 'id="id_since_error"' in refused.content.decode()


def test_a_message_page_shows_each_attempts_request_and_answer(client, tenant_a):
    endpoint = _endpoint(tenant_a)
    with schema_context(tenant_a.schema):
        message = message_make(endpoint, status=MessageStatus.FAILING)
        attempt_make(message, status_code=503, ago=timedelta(minutes=10))
        attempt_make(message, status_code=None, error="Timed out after 15 s.")
    page = client.get(f"/manage/webhooks/messages/{message.message_id}/").content.decode()
    assert "v1,c2lnbmF0dXJlLW9mLXRoaXMtbWVzc2FnZQ==" in page
    assert "webhook-timestamp" in page and "HTTP 503" in page
    assert "upstream exploded" in page and "Timed out after 15 s." in page
    resent = client.post(f"/manage/webhooks/messages/{message.message_id}/resend/")
    assert resent["Location"] == f"/manage/webhooks/messages/{message.message_id}/"


def test_the_health_page_has_charts_and_their_table(client, tenant_a):
    endpoint = _endpoint(tenant_a)
    with schema_context(tenant_a.schema):
        message = message_make(endpoint)
        attempt_make(message, status_code=200, latency_ms=80)
        attempt_make(message, status_code=500, latency_ms=120)
    page = client.get(f"/manage/webhooks/endpoints/{endpoint.pk}/health/").content.decode()
    assert 'id="health-charts"' in page and 'data-chart="latency"' in page
    assert "vendor/chart.umd.min.js" in page and "core/charts.js" in page
    assert "50.0 %" in page and "100 ms" in page
    assert "<script>" not in page  # CSP: data only, in a json_script element


def test_other_roles_are_refused_and_nothing_changes(portal, make_person, tenant_a):
    endpoint = _endpoint(tenant_a, description="Kept")
    for role in (Role.INSTRUCTOR, Role.CONTENT_CREATOR, Role.LEARNER):
        client = portal(make_person(role, email=f"{role}-hooks-pages@example.com"))
        for path in ("/manage/webhooks/", "/manage/webhooks/add/", "/manage/webhooks/log/"):
            assert client.get(path).status_code == 403, (role, path)
        for action in ("rotate", "test", "delete", "enable"):
            answer = client.post(f"/manage/webhooks/endpoints/{endpoint.pk}/{action}/")
            assert answer.status_code == 403
        assert "Webhooks" not in client.get("/").content.decode()
    with schema_context(tenant_a.schema):
        kept = WebhookEndpoint.objects.get()
        assert kept.description == "Kept" and kept.previous_secret_sealed == ""
        assert not WebhookMessage.objects.exists()
    anonymous = portal().get("/manage/webhooks/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_another_tenants_ids_are_not_found(client, tenant_a, tenant_b):
    theirs = _endpoint(tenant_b)
    with schema_context(tenant_b.schema):
        their_message = message_make(theirs)
    with schema_context(tenant_a.schema):
        assert not WebhookEndpoint.objects.filter(pk=theirs.pk).exists()
    for path in ("", "secret/", "health/"):
        assert client.get(f"/manage/webhooks/endpoints/{theirs.pk}/{path}").status_code == 404
    assert client.post(f"/manage/webhooks/endpoints/{theirs.pk}/delete/").status_code == 404
    assert client.get(f"/manage/webhooks/messages/{their_message.message_id}/").status_code == 404
    with schema_context(tenant_b.schema):
        assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()


def test_the_admin_menu_offers_webhooks(client):
    page = client.get("/manage/webhooks/").content.decode()
    assert 'href="/manage/webhooks/"' in page and 'aria-current="page"' in page


def test_queries_stay_bounded(client, tenant_a, django_assert_max_num_queries):
    with schema_context(tenant_a.schema):
        made = [endpoint_create(actor=None, url=f"{PUBLIC_URL}/{n}")[0] for n in range(12)]
        message = None
        for endpoint in made:
            message = message_make(endpoint)
            attempt_make(message)
        for _ in range(12):
            attempt_make(message, status_code=500)
    with django_assert_max_num_queries(12):
        assert client.get("/manage/webhooks/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/manage/webhooks/log/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/manage/webhooks/log/", {"status": "delivered"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/manage/webhooks/messages/{message.message_id}/").status_code == 200
    with django_assert_max_num_queries(14):
        page = client.get(f"/manage/webhooks/endpoints/{made[0].pk}/")
        assert page.status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/manage/webhooks/endpoints/{made[0].pk}/health/").status_code == 200
