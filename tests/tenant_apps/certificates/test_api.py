"""The certificates API on tenant A's host, with real bearer tokens: one's own certificates,
one certificate, its PDF, and the admins' list."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from tenant_apps.certificates.models import Certificate
from tenant_apps.people.models import Role
from tests.tenant_apps.certificates.conftest import in_tenant


def drf_datetime(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def output(certificate: Certificate, learner, course) -> dict:
    """What the API says about a valid certificate."""
    return {
        "id": certificate.pk,
        "code": certificate.code,
        "status": "valid",
        "learner_name": certificate.learner_name,
        "course_title": certificate.course_title,
        "issued_at": drf_datetime(certificate.issued_at),
        "issued_on": certificate.issued_on.isoformat(),
        "revoked_at": None,
        "revocation_reason": "",
        "revoked_by_id": None,
        "enrollment_id": certificate.enrollment_id,
        "learner": {"id": learner.pk, "email": learner.email, "full_name": learner.full_name},
        "course": {"id": course.pk, "title": course.title},
        "verification_url": f"http://alpha.localhost/certificates/verify/{certificate.code}/",
        "pdf_url": f"http://alpha.localhost/api/v1/certificates/{certificate.pk}/pdf",
    }


NOT_FOUND = {
    "error": {"code": "certificate_not_found", "message": "No such certificate.", "details": []}
}


@pytest.fixture
def two_courses(make_course):
    return make_course(title="Safety Basics"), make_course(title="First Aid")


# ------------------------------------------------------------------------------------------
# One's own certificates
def test_my_certificates_are_mine_only_newest_first(api, earn, learner, make_person, two_courses):
    safety, first_aid = two_courses
    older = earn(learner, safety)
    newer = earn(learner, first_aid)
    earn(make_person(), safety)  # someone else's

    response = api(learner).get("/api/v1/me/certificates")
    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [output(newer, learner, first_aid), output(older, learner, safety)],
    }


def test_my_certificates_filter_by_status_and_course(
    api, earn, learner, admin, two_courses, tenant_a
):
    from tenant_apps.certificates.services import certificate_revoke

    safety, first_aid = two_courses
    kept = earn(learner, safety)
    lost = earn(learner, first_aid)
    in_tenant(tenant_a, lambda: certificate_revoke(certificate=lost, actor=admin, reason="Copied"))
    client = api(learner)

    def ids(query: str) -> list[int]:
        return [c["id"] for c in client.get(f"/api/v1/me/certificates?{query}").json()["results"]]

    assert ids("status=valid") == [kept.pk]
    assert ids("status=revoked") == [lost.pk]
    assert ids(f"course={safety.pk}") == [kept.pk]
    revoked = client.get("/api/v1/me/certificates?status=revoked").json()["results"][0]
    assert (revoked["status"], revoked["revocation_reason"], revoked["pdf_url"]) == (
        "revoked",
        "Copied",
        None,
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=paused", "status"), ("course=abc", "course"), ("course=0", "course")],
)
def test_bad_filters_on_mine_are_400_naming_the_field(api, learner, query, field):
    response = api(learner).get(f"/api/v1/me/certificates?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]


def test_signing_in_is_needed_for_everything_but_verification(api, certificate):
    for url in [
        "/api/v1/me/certificates",
        "/api/v1/certificates",
        f"/api/v1/certificates/{certificate.pk}",
        f"/api/v1/certificates/{certificate.pk}/pdf",
    ]:
        response = api().get(url)
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "not_authenticated"


# ------------------------------------------------------------------------------------------
# One certificate and its PDF
def test_a_certificate_is_seen_by_its_learner_and_admins_only(
    api, certificate, learner, course, admin, instructor, make_person
):
    url = f"/api/v1/certificates/{certificate.pk}"
    assert api(learner).get(url).json() == output(certificate, learner, course)
    assert api(admin).get(url).json() == output(certificate, learner, course)
    for outsider in [instructor, make_person(), make_person(Role.CONTENT_CREATOR)]:
        response = api(outsider).get(url)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert api(admin).get("/api/v1/certificates/99999999999999999999999").status_code == 404


def test_the_pdf_is_downloaded_by_its_learner_and_admins_only(
    api, certificate, learner, admin, instructor, make_person
):
    url = f"/api/v1/certificates/{certificate.pk}/pdf"
    assert api(learner).get(url).status_code == 200
    assert api(admin).get(url).status_code == 200
    for outsider in [instructor, make_person()]:
        response = api(outsider).get(url)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    missing = api(learner).get(
        "/api/v1/certificates/99999999999999999999999/pdf", HTTP_ACCEPT="application/pdf"
    )
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert missing.json() == NOT_FOUND


def test_another_tenants_certificate_is_404(
    api, earn, make_person, make_course, admin, tenant_b, tenant_a
):
    learner_b = make_person(tenant=tenant_b)
    course_b = make_course(tenant=tenant_b, owner=make_person(Role.INSTRUCTOR, tenant=tenant_b))
    certificate_b = earn(learner_b, course_b, tenant=tenant_b)
    assert in_tenant(tenant_a, lambda: Certificate.objects.count()) == 0
    client = api(admin)
    for url in [
        f"/api/v1/certificates/{certificate_b.pk}",
        f"/api/v1/certificates/{certificate_b.pk}/pdf",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert client.get("/api/v1/certificates").json()["count"] == 0
    assert in_tenant(tenant_b, lambda: Certificate.objects.get().pdf.name) == ""


# ------------------------------------------------------------------------------------------
# Every certificate (admins)
def test_admins_list_every_certificate(api, earn, learner, make_person, admin, two_courses):
    safety, first_aid = two_courses
    other = make_person(email="omar@example.com", full_name="Omar Other")
    first = earn(learner, safety)
    second = earn(other, first_aid)
    response = api(admin).get("/api/v1/certificates")
    assert response.status_code == 200
    assert response.json()["results"] == [
        output(second, other, first_aid),
        output(first, learner, safety),
    ]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR, Role.CONTENT_CREATOR])
def test_nobody_else_lists_every_certificate(api, make_person, certificate, role):
    response = api(make_person(role)).get("/api/v1/certificates")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_admin_filters_and_searches(api, earn, learner, make_person, admin, two_courses, tenant_a):
    from tenant_apps.certificates.services import certificate_revoke

    safety, first_aid = two_courses
    other = make_person(email="omar@example.com", full_name="Omar Other")
    lena_safety = earn(learner, safety)
    lena_aid = earn(learner, first_aid)
    omar_safety = earn(other, safety)
    in_tenant(
        tenant_a,
        lambda: certificate_revoke(certificate=omar_safety, actor=admin, reason="Copied"),
    )
    client = api(admin)
    today = lena_safety.issued_on

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/certificates?{query}")
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    assert ids(f"course={safety.pk}") == [omar_safety.pk, lena_safety.pk]
    assert ids(f"user={learner.pk}") == [lena_aid.pk, lena_safety.pk]
    assert ids("status=revoked") == [omar_safety.pk]
    assert ids("status=valid") == [lena_aid.pk, lena_safety.pk]
    assert ids(f"issued_after={today + timedelta(days=2)}") == []
    assert ids(f"issued_before={today - timedelta(days=2)}") == []
    assert len(ids(f"issued_after={today - timedelta(days=2)}")) == 3
    assert ids(f"search={lena_aid.code.lower()}") == [lena_aid.pk]
    assert ids("search=omar@example") == [omar_safety.pk]
    assert ids("search=first aid") == [lena_aid.pk]
    assert ids(f"ordering=learner_name&course={safety.pk}") == [lena_safety.pk, omar_safety.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=paused", "status"),
        ("course=abc", "course"),
        ("user=99999999999999999999999", "user"),
        ("issued_after=tomorrow", "issued_after"),
        ("issued_before=2031-13-01", "issued_before"),
    ],
)
def test_bad_filters_are_400_naming_the_field(api, admin, query, field):
    response = api(admin).get(f"/api/v1/certificates?{query}")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]


@pytest.mark.parametrize("url", ["/api/v1/certificates", "/api/v1/me/certificates"])
def test_lists_run_the_same_queries_for_any_page_size(
    api, earn, admin, make_course, make_person, url, django_assert_max_num_queries
):
    courses = [make_course(lessons=["text"]) for _ in range(3)]
    for person in [make_person() for _ in range(18)]:
        for course in courses:
            earn(person, course)
    for course in courses:
        earn(admin, course)
    client = api(admin)
    client.get(url)  # the first request on a host also routes it (cached from then on)
    with django_assert_max_num_queries(6) as small:
        page = client.get(f"{url}?page_size=5")
    assert len(page.json()["results"]) == (5 if url == "/api/v1/certificates" else 3)
    with django_assert_max_num_queries(6) as large:
        page = client.get(f"{url}?page_size=50")
    assert len(page.json()["results"]) == (50 if url == "/api/v1/certificates" else 3)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_schema_documents_the_endpoints(api, admin):
    schema = api(admin).get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/v1/me/certificates",
        "/api/v1/certificates",
        "/api/v1/certificates/verify/{code}",
        "/api/v1/certificates/{certificate_id}",
        "/api/v1/certificates/{certificate_id}/pdf",
        "/api/v1/certificates/{certificate_id}/revoke",
    ]:
        assert path in paths, path
    assert not any(path.startswith("/certificates/") for path in paths)
