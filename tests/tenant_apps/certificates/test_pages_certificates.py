"""/certificates/: a person's own certificates (course, issue date in their time zone,
status), each PDF through the portal with the API's rule, and the verification link to
share; the public verification page in the shell."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tenant_apps.certificates.models import Certificate
from tenant_apps.certificates.services import certificate_revoke
from tenant_apps.people.models import Role
from tests.tenant_apps.certificates.conftest import certificate_rows, in_tenant


def test_signed_out_people_are_sent_to_sign_in(client_a, certificate):
    for path in ("/certificates/", f"/certificates/{certificate.pk}/download/"):
        response = client_a.get(path)
        assert (response.status_code, response["Location"]) == (
            302,
            f"/accounts/login/?next={path}",
        ), path


def test_the_page_lists_ones_own_certificates_with_date_status_pdf_and_link(
    portal, earn, learner, make_person, make_course, admin, tenant_a
):
    safety, first_aid = make_course(title="Safety Basics"), make_course(title="First Aid")
    older = earn(learner, safety)
    newer = earn(learner, first_aid)
    earn(make_person(), safety)  # someone else's
    # Issued just before midnight UTC: already the next day in Lena's Berlin.
    in_tenant(
        tenant_a,
        lambda: Certificate.objects.filter(pk=older.pk).update(
            issued_at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
        ),
    )
    in_tenant(
        tenant_a,
        lambda: certificate_revoke(certificate=newer, actor=admin, reason="Issued by mistake"),
    )

    response = portal(learner).get("/certificates/")
    html = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", html, re.S)
    assert [title for title, _ in rows] == ["First Aid", "Safety Basics"]
    revoked_row, valid_row = (cells for _, cells in rows)
    assert "April 1, 2026" in valid_row and ">Valid<" in valid_row
    assert f'href="/certificates/{older.pk}/download/"' in valid_row
    assert (
        f'value="http://alpha.localhost/certificates/verify/{older.code}/"' in valid_row
    )  # a plain, selectable link without JavaScript
    assert ">Revoked<" in revoked_row and "/download/" not in revoked_row
    # The copy button is for JavaScript to reveal; its script is a static file.
    assert 'data-copy-from="verify-' in html and " hidden>" in html
    assert "/static/core/copy-button.js" in html
    assert re.search(r'<a href="/certificates/" aria-current="page">Certificates</a>', html)


def test_a_course_title_with_markup_shows_as_text(portal, earn, learner, make_course):
    earn(learner, make_course(title="<script>alert(1)</script>"))
    html = portal(learner).get("/certificates/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_no_certificates_yet(portal, learner):
    html = portal(learner).get("/certificates/").content.decode()
    assert "You have no certificates yet." in html


def test_many_certificates_in_a_bounded_number_of_queries(
    portal, earn, learner, make_course, django_assert_max_num_queries
):
    courses = [make_course(title=f"Course {n:02d}", lessons=["text"]) for n in range(30)]
    for course in courses:
        earn(learner, course)
    browser = portal(learner)
    with django_assert_max_num_queries(10):
        first = browser.get("/certificates/").content.decode()
    with django_assert_max_num_queries(10):
        second = browser.get("/certificates/?page=2").content.decode()
    assert first.count('<th scope="row">') == 25 and second.count('<th scope="row">') == 5


def test_the_pdf_is_downloaded_by_its_learner_and_admins_only(
    portal, certificate, learner, admin, instructor, make_person, tenant_a
):
    url = f"/certificates/{certificate.pk}/download/"
    for person in (learner, admin):
        response = portal(person).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert (
            response["Content-Disposition"]
            == f'attachment; filename="certificate-{certificate.code}.pdf"'
        )
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    outsiders = (instructor, make_person(Role.LEARNER))
    before = certificate_rows(tenant_a)
    for outsider in outsiders:
        assert portal(outsider).get(url).status_code == 404
    assert portal(learner).get("/certificates/99999999/download/").status_code == 404
    assert certificate_rows(tenant_a) == before


def test_another_tenants_certificate_is_404(
    portal, earn, make_person, make_course, admin, tenant_b, tenant_a
):
    learner_b = make_person(tenant=tenant_b)
    course_b = make_course(tenant=tenant_b, owner=make_person(Role.INSTRUCTOR, tenant=tenant_b))
    certificate_b = earn(learner_b, course_b, tenant=tenant_b)
    assert in_tenant(tenant_a, lambda: Certificate.objects.count()) == 0
    assert portal(admin).get(f"/certificates/{certificate_b.pk}/download/").status_code == 404
    assert in_tenant(tenant_b, lambda: Certificate.objects.get().pdf.name) == ""


def test_a_revoked_certificates_pdf_is_a_clear_page_not_a_500(
    portal, certificate, learner, admin, tenant_a
):
    in_tenant(
        tenant_a, lambda: certificate_revoke(certificate=certificate, actor=admin, reason="Copied")
    )
    response = portal(learner).get(f"/certificates/{certificate.pk}/download/")
    assert response.status_code == 409
    assert "This certificate is revoked; its PDF is no longer available." in (
        response.content.decode()
    )


def test_the_public_verification_page_is_in_the_shell(client_a, certificate):
    response = client_a.get(f"/certificates/verify/{certificate.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
    assert "This certificate is valid." in html and "Safety Basics" in html
