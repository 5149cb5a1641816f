"""Public verification on the tenant's host: the page /certificates/verify/<code>/ and the
endpoint /api/v1/certificates/verify/<code>, without signing in."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.test import Client
from django.utils import timezone

from tenant_apps.certificates.services import certificate_revoke
from tests.tenant_apps.certificates.conftest import in_tenant


def page_url(code: str) -> str:
    return f"/certificates/verify/{code}/"


def api_url(code: str) -> str:
    return f"/api/v1/certificates/verify/{code}"


def issued_on_text(certificate) -> str:
    return f"{certificate.issued_on.day} {certificate.issued_on:%B %Y}"


pytestmark = pytest.mark.usefixtures("fresh_throttle_counters")


NOT_FOUND = {
    "error": {"code": "certificate_not_found", "message": "No such certificate.", "details": []}
}


def test_anyone_checks_a_valid_certificate(api, certificate):
    response = api().get(api_url(certificate.code))
    assert response.status_code == 200
    assert response.json() == {
        "code": certificate.code,
        "status": "valid",
        "learner_name": "Lena Learner",
        "course_title": "Safety Basics",
        "issued_on": certificate.issued_on.isoformat(),
        "revoked_on": None,
        "issued_by": "Alpha Learning",
    }


def test_the_page_shows_a_valid_certificate(client_a, certificate):
    response = client_a.get(page_url(certificate.code))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "<h1>This certificate is valid.</h1>" in page
    assert "<dd><strong>Lena Learner</strong></dd>" in page
    assert "<dd><strong>Safety Basics</strong></dd>" in page
    assert f"<dd>{issued_on_text(certificate)}</dd>" in page
    assert "<dd>Alpha Learning</dd>" in page
    assert f"<dd><code>{certificate.code}</code></dd>" in page
    assert "revoked" not in page.lower()


def test_nothing_but_the_certificate_is_told(api, client_a, certificate, learner):
    page = client_a.get(page_url(certificate.code)).content.decode()
    body = api().get(api_url(certificate.code)).content.decode()
    for secret in ["lena@example.com", "example.com", f'"{learner.pk}"']:
        assert secret not in page
        assert secret not in body
    assert "id" not in api().get(api_url(certificate.code)).json()


def test_a_learner_without_a_name_shows_no_part_of_their_address(
    api, client_a, earn, make_person, course
):
    nameless = make_person(email="j.doe@example.com", full_name="")
    certificate = earn(nameless, course)
    body = api().get(api_url(certificate.code))
    assert body.json()["learner_name"] == "a learner of Alpha Learning"
    page = client_a.get(page_url(certificate.code)).content.decode()
    assert "<dd><strong>a learner of Alpha Learning</strong></dd>" in page
    for shown in (body.content.decode(), page):
        assert "j.doe" not in shown


def test_certificates_issued_before_lose_the_address_part_in_the_migration(
    api, earn, make_person, course, tenant_a
):
    import importlib

    from django.apps import apps
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenant_apps.certificates.models import Certificate

    nameless = make_person(email="j.doe@example.com", full_name="")
    named = make_person(email="lena.l@example.com", full_name="Lena L")
    old, kept = earn(nameless, course), earn(named, course)
    migration = importlib.import_module(
        "tenant_apps.certificates.migrations.0002_nameless_learners"
    )
    with schema_context(tenant_a.schema):
        # As issued before: the e-mail's local part.
        Certificate.objects.filter(pk=old.pk).update(learner_name="j.doe")
        with connection.schema_editor() as editor:
            migration.rename_nameless_learners(apps, editor)
    assert api().get(api_url(old.code)).json()["learner_name"] == "a learner of Alpha Learning"
    assert api().get(api_url(kept.code)).json()["learner_name"] == "Lena L"


def test_a_revoked_certificate_says_so_without_the_reason(
    api, client_a, certificate, admin, tenant_a
):
    revoked = in_tenant(
        tenant_a,
        lambda: certificate_revoke(
            certificate=certificate, actor=admin, reason="Exam taken by someone else"
        ),
    )
    today = revoked.revoked_at.astimezone(UTC).date()
    assert abs(today - timezone.now().date()).days <= 1
    body = api().get(api_url(certificate.code)).json()
    assert body == {
        "code": certificate.code,
        "status": "revoked",
        "learner_name": "Lena Learner",
        "course_title": "Safety Basics",
        "issued_on": certificate.issued_on.isoformat(),
        "revoked_on": today.isoformat(),
        "issued_by": "Alpha Learning",
    }
    page = client_a.get(page_url(certificate.code))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"<h1>This certificate was revoked on {today.day} {today:%B %Y}.</h1>" in text
    assert "This certificate is valid." not in text
    assert "someone else" not in text
    assert "someone else" not in str(body)


def test_codes_are_accepted_as_people_type_them(api, client_a, certificate):
    typed = certificate.code.replace("-", "").lower()
    assert api().get(api_url(typed)).json()["code"] == certificate.code
    assert client_a.get(page_url(typed)).status_code == 200


def test_an_unknown_code_is_404(api, client_a, certificate):
    unknown = "0000-0000-0000-0000" if certificate.code != "0000-0000-0000-0000" else "1111-1111"
    response = api().get(api_url(unknown))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    page = client_a.get(page_url(unknown))
    assert page.status_code == 404
    assert "<h1>No certificate has this code.</h1>" in page.content.decode()


@pytest.mark.parametrize(
    "code",
    ["not-a-code", "x" * 2000, "%00", "%F0%9F%98%80", "'%20OR%201=1--", "%3Cscript%3E", "..."],
)
def test_any_malformed_code_is_404_too(api, client_a, code):
    response = api().get(api_url(code))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert client_a.get(page_url(code)).status_code == 404


def test_another_tenants_code_is_unknown_here(api, client_b, certificate, tenant_b):
    response = api(tenant=tenant_b).get(api_url(certificate.code))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert client_b.get(page_url(certificate.code)).status_code == 404


def test_credentials_are_not_even_looked_at(certificate, tenant_a):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST=tenant_a.host, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get(api_url(certificate.code)).status_code == 200
    page = Client(HTTP_HOST=tenant_a.host, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert page.get(page_url(certificate.code)).status_code == 200


def test_names_are_shown_as_text_not_markup(earn, make_person, make_course, client_a):
    person = make_person(full_name="<script>alert(1)</script>")
    course = make_course(title="Fire & <b>Safety</b>")
    certificate = earn(person, course)
    page = client_a.get(page_url(certificate.code)).content.decode()
    assert "<dd><strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong></dd>" in page
    assert "<dd><strong>Fire &amp; &lt;b&gt;Safety&lt;/b&gt;</strong></dd>" in page
    assert "<script>" not in page


def test_page_and_endpoint_share_the_anonymous_throttle(api, client_a, certificate, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "4/min",
        },
    }
    client = api()
    allowed = [
        client.get(api_url(certificate.code)).status_code,
        client_a.get(page_url(certificate.code)).status_code,
        client.get(api_url(certificate.code)).status_code,
        client_a.get(page_url(certificate.code)).status_code,
    ]
    assert allowed == [200, 200, 200, 200]
    throttled = client.get(api_url(certificate.code))
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "throttled"
    assert 1 <= int(throttled["Retry-After"]) <= 60
    page = client_a.get(page_url(certificate.code))
    assert page.status_code == 429
    assert "<h1>The certificate cannot be checked right now.</h1>" in page.content.decode()
