"""The certificate PDF: rendered after commit and stored under the tenant's folder, or on
demand at download; read back with pypdf."""

from __future__ import annotations

import io

import pypdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from tenant_apps.branding.services import branding_logo_set, branding_update
from tenant_apps.certificates.models import Certificate
from tenant_apps.certificates.pdf import certificate_date_text
from tenant_apps.certificates.tasks import certificate_pdf_render
from tests.tenant_apps.certificates.conftest import in_tenant


def pdf_text(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text().splitlines()


def expected_text(certificate: Certificate, tenant_name: str = "Alpha Learning") -> list[str]:
    return [
        tenant_name,
        "Certificate of Completion",
        "This certifies that",
        certificate.learner_name,
        "has completed the course",
        certificate.course_title,
        f"on {certificate_date_text(certificate.issued_on)}",
        f"Verification code: {certificate.code}",
        f"Check this certificate at http://alpha.localhost/certificates/verify/{certificate.code}/",
    ]


def stored_path(tmp_path, tenant, certificate):
    return tmp_path / tenant.schema / "certificates" / f"{certificate.code}.pdf"


def png_logo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 50), "navy").save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_the_stored_pdf_says_who_what_when_and_how_to_verify(
    earn, learner, course, tenant_a, tmp_path
):
    certificate = earn(learner, course, after_commit=True)
    data = stored_path(tmp_path, tenant_a, certificate).read_bytes()
    assert pdf_text(data) == expected_text(certificate)
    assert certificate.learner_name == "Lena Learner"
    assert certificate.course_title == "Safety Basics"
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert (
        reader.metadata.title,
        reader.metadata.author,
        reader.metadata.subject,
        reader.metadata.creator,
    ) == (
        "Certificate: Safety Basics - Lena Learner",
        "Alpha Learning",
        f"Verification code {certificate.code}",
        "Lectern",
    )


def test_the_pdf_wears_the_tenants_logo_and_colours(certificate, tenant_a, tmp_path):
    def rebrand_and_render():
        branding_update(primary_colour="#AA3300", accent_colour="#0055ff", actor=None)
        branding_logo_set(upload=png_logo(), actor=None)
        certificate_pdf_render.delay(certificate.pk)
        return Certificate.objects.get(pk=certificate.pk)

    rendered = in_tenant(tenant_a, rebrand_and_render)
    assert rendered.pdf.name == f"certificates/{certificate.code}.pdf"
    page = pypdf.PdfReader(io.BytesIO(stored_path(tmp_path, tenant_a, certificate).read_bytes()))
    page = page.pages[0]
    assert [image.image.size for image in page.images] == [(200, 50)]
    drawing = page.get_contents().get_data().decode("latin-1")
    assert "0.6667 0.2 0 RG" in drawing  # the frame in the primary colour (#aa3300)
    assert "0.6667 0.2 0 rg" in drawing  # tenant and learner names in it too
    assert "0 0.3333 1 RG" in drawing  # the inner frame and underline in the accent colour


def test_without_a_logo_file_the_pdf_is_still_drawn(certificate, tenant_a, tmp_path):
    def lose_the_logo_and_render():
        branding = branding_logo_set(upload=png_logo(), actor=None)
        branding.logo.storage.delete(branding.logo.name)
        certificate_pdf_render.delay(certificate.pk)

    in_tenant(tenant_a, lose_the_logo_and_render)
    data = stored_path(tmp_path, tenant_a, certificate).read_bytes()
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages[0].images) == 0
    assert pdf_text(data) == expected_text(certificate)


def test_names_in_any_script_are_printed(earn, make_person, make_course, tenant_a):
    person = make_person(full_name="Łukasz Żółć-Ωmega")
    course = make_course(title="Основы безопасности")
    certificate = earn(person, course, after_commit=True)
    with schema_context(tenant_a.schema):
        data = Certificate.objects.get(pk=certificate.pk).pdf.read()
    text = pdf_text(data)
    assert text[3] == "Łukasz Żółć-Ωmega"
    assert text[5] == "Основы безопасности"


def test_long_names_and_titles_wrap_and_everything_is_still_there(
    earn, make_person, make_course, tenant_a
):
    person = make_person(full_name=("Maximilian " * 18).strip())
    course = make_course(title=("Occupational health and safety " * 6).strip())
    certificate = earn(person, course, after_commit=True)
    with schema_context(tenant_a.schema):
        text = "\n".join(pdf_text(Certificate.objects.get(pk=certificate.pk).pdf.read()))
    assert " ".join(text.split()).count("Maximilian") == 18
    assert " ".join(text.split()).count("Occupational health and safety") == 6
    assert text.endswith(f"http://alpha.localhost/certificates/verify/{certificate.code}/")


def test_download_renders_and_stores_the_pdf_when_the_task_has_not_run(
    api, certificate, learner, tenant_a, tmp_path
):
    assert not stored_path(tmp_path, tenant_a, certificate).exists()
    response = api(learner).get(f"/api/v1/certificates/{certificate.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-{certificate.code}.pdf"'
    )
    body = b"".join(response.streaming_content)
    assert pdf_text(body) == expected_text(certificate)
    assert stored_path(tmp_path, tenant_a, certificate).read_bytes() == body
    stored = in_tenant(tenant_a, lambda: Certificate.objects.get(pk=certificate.pk).pdf.name)
    assert stored == f"certificates/{certificate.code}.pdf"


def test_download_serves_the_stored_pdf_as_it_is(api, earn, learner, course, tenant_a, tmp_path):
    certificate = earn(learner, course, after_commit=True)
    path = stored_path(tmp_path, tenant_a, certificate)
    stored = path.read_bytes()
    response = api(learner).get(
        f"/api/v1/certificates/{certificate.pk}/pdf", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    # Rendering twice would have left a second file next to it.
    assert sorted(p.name for p in path.parent.iterdir()) == [f"{certificate.code}.pdf"]


def test_a_stored_pdf_that_went_missing_is_rendered_again(
    api, earn, learner, course, tenant_a, tmp_path
):
    certificate = earn(learner, course, after_commit=True)
    path = stored_path(tmp_path, tenant_a, certificate)
    path.unlink()
    response = api(learner).get(f"/api/v1/certificates/{certificate.pk}/pdf")
    assert response.status_code == 200
    assert pdf_text(b"".join(response.streaming_content)) == expected_text(certificate)
    assert path.exists()
