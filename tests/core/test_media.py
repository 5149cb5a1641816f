"""Uploaded files served from the tenant's own host (core.media): each kind to whom its app's
rule admits, never another tenant's, never a path that climbs out of the tenant's folder."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from tenant_apps.branding.services import branding_logo_set
from tenant_apps.courses import services
from tenant_apps.courses.models import LessonKind
from tenant_apps.enrollments.services import enrollment_activate, enrollment_self_enroll
from tenant_apps.people.models import Role
from tenant_apps.people.services import user_avatar_set
from tests.tenant_apps.courses.conftest import image_upload, media_root  # noqa: F401 - autouse


def content(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def files(tenant_a, make_person):
    """A logo, an avatar, a thumbnail and the attachment of a paid course's lesson, stored
    with the services in tenant A."""
    author = make_person(Role.INSTRUCTOR)
    with schema_context(tenant_a.schema):
        logo = branding_logo_set(upload=image_upload(name="logo.png"), actor=None).logo.url
        avatar = user_avatar_set(user=author, upload=image_upload(name="me.png")).avatar.url
        course = services.course_create(
            owner=author, title="Paid", price_amount=9900, currency="EUR"
        )
        course = services.course_thumbnail_set(course=course, upload=image_upload())
        section = services.section_create(course=course, title="One")
        lesson = services.lesson_create(section=section, title="Handout", kind=LessonKind.FILE)
        lesson = services.lesson_attachment_set(
            lesson=lesson, upload=SimpleUploadedFile("handout.txt", b"Paid handout")
        )
        course = services.course_publish(course=course, actor=author)
        # URLs name the schema they are made in.
        return {
            "logo": logo,
            "avatar": avatar,
            "thumbnail": course.thumbnail.url,
            "attachment": lesson.attachment.url,
            "course": course,
            "author": author,
        }


@pytest.fixture
def admin(make_person):
    return make_person(Role.ADMIN)


def test_the_urls_are_under_the_tenants_folder(files, tenant_a):
    prefix = f"/media/{tenant_a.schema}/"
    assert files["logo"] == f"{prefix}branding/logo.png"
    assert files["attachment"].startswith(f"{prefix}courses/{files['course'].pk}/lessons/")


def test_the_logo_is_for_everyone_even_before_signing_in(files, api):
    response = api().get(files["logo"])
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert content(response).startswith(b"\x89PNG")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("kind", ["avatar", "thumbnail"])
def test_avatars_and_thumbnails_are_for_the_tenants_people(files, api, make_person, kind):
    assert api().get(files[kind]).status_code == 404
    assert api(make_person()).get(files[kind]).status_code == 200


def test_a_lesson_file_is_for_those_who_may_read_the_lesson(
    files, api, make_person, tenant_a, admin
):
    learner = make_person()
    assert api().get(files["attachment"]).status_code == 404
    assert api(learner).get(files["attachment"]).status_code == 404  # not paid for
    with schema_context(tenant_a.schema):
        enrollment = enrollment_self_enroll(user=learner, course=files["course"])
        assert enrollment.status == "pending"
    assert api(learner).get(files["attachment"]).status_code == 404  # still unpaid
    with schema_context(tenant_a.schema):
        enrollment_activate(enrollment=enrollment, actor=admin)
    paid = api(learner).get(files["attachment"])
    assert (paid.status_code, content(paid)) == (200, b"Paid handout")
    assert api(files["author"]).get(files["attachment"]).status_code == 200
    assert api(admin).get(files["attachment"]).status_code == 200


def test_another_tenants_files_are_not_served_on_this_host(files, api, make_person, tenant_b):
    someone_of_b = make_person(Role.ADMIN, tenant=tenant_b)
    for kind in ("logo", "avatar", "thumbnail", "attachment"):
        assert api(someone_of_b, tenant=tenant_b).get(files[kind]).status_code == 404
    # Nor by naming this tenant's files under the other tenant's folder.
    own_folder = files["logo"].replace(f"/{files['logo'].split('/')[2]}/", f"/{tenant_b.schema}/")
    assert api(someone_of_b, tenant=tenant_b).get(own_folder).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "branding/../../t_bravo/branding/logo.png",
        "branding/%2e%2e/%2e%2e/etc/passwd",
        "certificates/anything.pdf",  # served by the certificates API, to their owners only
        "nothing/at/all.txt",
    ],
)
def test_paths_no_rule_admits_are_404(files, api, admin, tenant_a, path):
    assert api(admin).get(f"/media/{tenant_a.schema}/{path}").status_code == 404


def test_a_missing_file_is_404(files, api, tenant_a):
    assert api().get(f"/media/{tenant_a.schema}/branding/gone.png").status_code == 404
