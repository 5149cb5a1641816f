"""Revoking a certificate: admins only, with a reason, audited; refused attempts change
nothing."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from tenant_apps.audit.models import AuditEntry
from tenant_apps.certificates.models import Certificate
from tenant_apps.events.models import OutboxEvent
from tenant_apps.notifications.models import Notification
from tenant_apps.people.models import Role
from tests.tenant_apps.certificates.conftest import certificate_rows, in_tenant


def revoke_url(certificate: Certificate) -> str:
    return f"/api/v1/certificates/{certificate.pk}/revoke"


@pytest.fixture
def stored(earn, learner, course) -> Certificate:
    """Lena's certificate with its PDF rendered and stored."""
    return earn(learner, course, after_commit=True)


def test_an_admin_revokes_with_a_reason(
    api, stored, admin, learner, course, tenant_a, tmp_path, django_capture_on_commit_callbacks
):
    pdf_file = tmp_path / tenant_a.schema / "certificates" / f"{stored.code}.pdf"
    assert pdf_file.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(revoke_url(stored), {"reason": "  Exam taken by someone else  "})
    assert response.status_code == 200
    revoked = in_tenant(tenant_a, lambda: Certificate.objects.get(pk=stored.pk))
    body = response.json()
    assert body == {
        "id": stored.pk,
        "code": stored.code,
        "status": "revoked",
        "learner_name": "Lena Learner",
        "course_title": "Safety Basics",
        "issued_at": body["issued_at"],
        "issued_on": stored.issued_on.isoformat(),
        "revoked_at": revoked.revoked_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "revocation_reason": "Exam taken by someone else",
        "revoked_by_id": admin.pk,
        "enrollment_id": stored.enrollment_id,
        "learner": {"id": learner.pk, "email": "lena@example.com", "full_name": "Lena Learner"},
        "course": {"id": course.pk, "title": "Safety Basics"},
        "verification_url": f"http://alpha.localhost/certificates/verify/{stored.code}/",
        "pdf_url": None,
    }
    assert (revoked.revocation_reason, revoked.revoked_by_id, revoked.pdf.name) == (
        "Exam taken by someone else",
        admin.pk,
        "",
    )
    assert not pdf_file.exists()

    entries = in_tenant(
        tenant_a,
        lambda: list(
            AuditEntry.objects.filter(target_type="certificate").values(
                "action",
                "actor_id",
                "actor_email",
                "target_type",
                "target_id",
                "target_label",
                "before",
                "after",
                "ip_address",
            )
        ),
    )
    assert entries == [
        {
            "action": "certificate.revoked",
            "actor_id": admin.pk,
            "actor_email": "ada@example.com",
            "target_type": "certificate",
            "target_id": str(stored.pk),
            "target_label": f"certificate {stored.code} of Lena Learner for Safety Basics",
            "before": {"revoked_at": None, "revocation_reason": ""},
            "after": {
                "revoked_at": DjangoJSONEncoder().default(revoked.revoked_at),
                "revocation_reason": "Exam taken by someone else",
            },
            "ip_address": "127.0.0.1",
        }
    ]
    told = in_tenant(
        tenant_a,
        lambda: list(
            Notification.objects.filter(title__contains="revoked").values(
                "recipient_id", "kind", "title", "body", "link"
            )
        ),
    )
    assert told == [
        {
            "recipient_id": learner.pk,
            "kind": "certificate",
            "title": "Your certificate for Safety Basics was revoked",
            "body": "Exam taken by someone else",
            "link": f"/certificates/verify/{stored.code}/",
        }
    ]
    verification = api().get(f"/api/v1/certificates/verify/{stored.code}").json()
    assert verification["status"] == "revoked"
    announced = in_tenant(
        tenant_a, lambda: list(OutboxEvent.objects.filter(event_type="certificate.revoked"))
    )
    assert [(e.subject_id, e.actor_id) for e in announced] == [(str(stored.pk), admin.pk)]
    assert announced[0].payload == {
        "id": stored.pk,
        "code": stored.code,
        "enrollment_id": stored.enrollment_id,
        "user_id": learner.pk,
        "course_id": course.pk,
        "revoked_at": DjangoJSONEncoder().default(revoked.revoked_at),
    }


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR, Role.CONTENT_CREATOR])
def test_nobody_but_admins_revokes_and_nothing_changes(api, stored, make_person, role, tenant_a):
    client = api(make_person(role))
    before = certificate_rows(tenant_a)
    response = client.post(revoke_url(stored), {"reason": "Because"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert certificate_rows(tenant_a) == before


def test_not_even_the_learner_or_the_courses_instructor_and_nothing_changes(
    api, stored, learner, instructor, tenant_a
):
    before = certificate_rows(tenant_a)
    for person in [learner, instructor]:  # Ivan owns and edits the course
        response = api(person).post(revoke_url(stored), {"reason": "Because"})
        assert response.status_code == 403
    anonymous = api().post(revoke_url(stored), {"reason": "Because"})
    assert anonymous.status_code == 401
    assert certificate_rows(tenant_a) == before


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"reason": ""},
        {"reason": "   "},
        {"reason": None},
        {"reason": {"why": "no"}},
        {"reason": ["no"]},
        {"reason": "x" * 501},
        {"reason": "a\x00b"},
    ],
)
def test_a_reason_is_required_400_naming_the_field_and_nothing_changes(
    api, stored, admin, payload, tenant_a
):
    before = certificate_rows(tenant_a)
    response = api(admin).post(revoke_url(stored), payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert [d["field"] for d in response.json()["error"]["details"]] == ["reason"]
    assert certificate_rows(tenant_a) == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ('{"reason": ', "application/json", 400),
        ("reason=Because", "text/plain", 415),
    ],
)
def test_unreadable_bodies_are_refused_and_nothing_changes(
    api, stored, admin, tenant_a, body, content_type, status
):
    before = certificate_rows(tenant_a)
    response = api(admin).post(revoke_url(stored), body, content_type=content_type)
    assert response.status_code == status
    assert certificate_rows(tenant_a) == before


def test_revoking_twice_is_409_and_the_first_revocation_stands(
    api, stored, admin, make_person, tenant_a
):
    first = api(admin).post(revoke_url(stored), {"reason": "Copied the exam"})
    assert first.status_code == 200
    other_admin = api(make_person(Role.ADMIN))
    before = certificate_rows(tenant_a)
    again = other_admin.post(revoke_url(stored), {"reason": "Something else"})
    assert again.status_code == 409
    assert again.json() == {
        "error": {
            "code": "already_revoked",
            "message": "This certificate is revoked already.",
            "details": [],
        }
    }
    assert certificate_rows(tenant_a) == before
    revoked = in_tenant(tenant_a, lambda: Certificate.objects.get(pk=stored.pk))
    assert (revoked.revocation_reason, revoked.revoked_by_id) == ("Copied the exam", admin.pk)


def test_another_tenants_certificate_is_404_and_unchanged(
    api, earn, admin, make_person, make_course, tenant_a, tenant_b
):
    learner_b = make_person(tenant=tenant_b)
    course_b = make_course(tenant=tenant_b, owner=make_person(Role.INSTRUCTOR, tenant=tenant_b))
    certificate_b = earn(learner_b, course_b, tenant=tenant_b)
    before_a, before_b = certificate_rows(tenant_a), certificate_rows(tenant_b)
    response = api(admin).post(revoke_url(certificate_b), {"reason": "Because"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "certificate_not_found"
    assert (certificate_rows(tenant_a), certificate_rows(tenant_b)) == (before_a, before_b)


def test_a_revoked_certificate_has_no_pdf_to_download(api, stored, admin, learner):
    api(admin).post(revoke_url(stored), {"reason": "Copied the exam"})
    for person in [learner, admin]:
        response = api(person).get(f"/api/v1/certificates/{stored.pk}/pdf")
        assert response.status_code == 409
        assert response.json() == {
            "error": {
                "code": "certificate_revoked",
                "message": "This certificate is revoked; its PDF is no longer available.",
                "details": [],
            }
        }
    mine = api(learner).get("/api/v1/me/certificates").json()["results"]
    assert [(c["id"], c["status"], c["revocation_reason"]) for c in mine] == [
        (stored.pk, "revoked", "Copied the exam")
    ]
