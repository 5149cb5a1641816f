"""Branding: colours and logo, read by everyone signed in, changed by admins."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from PIL import Image

from tenant_apps.branding.models import Branding
from tenant_apps.people.models import Role
from tests.snapshots import snapshot, stored_files


def image(kind: str = "PNG", size: tuple[int, int] = (40, 20)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, kind)
    buffer.seek(0)
    buffer.name = f"logo.{kind.lower()}"
    return buffer


def test_defaults_until_changed(api, make_person):
    body = api(make_person()).get("/api/v1/settings/branding").json()
    assert (body["primary_colour"], body["accent_colour"], body["logo_url"]) == (
        "#3b5bdb",
        "#f59f00",
        None,
    )


def test_admin_changes_colours_and_logo(api, make_person, settings, tmp_path, tenant_a):
    settings.MEDIA_ROOT = str(tmp_path)
    client = api(make_person(Role.ADMIN))
    changed = client.patch("/api/v1/settings/branding", {"primary_colour": "#AA3300"})
    assert changed.status_code == 200
    assert changed.json()["primary_colour"] == "#aa3300"
    logo = client.put("/api/v1/settings/branding/logo", {"logo": image()}, format="multipart")
    assert logo.status_code == 200
    assert logo.json()["logo_url"] == f"/media/{tenant_a.schema}/branding/logo.png"


@pytest.mark.parametrize("colour", ["red", "#12345", "#GGGGGG", "#1234567", ""])
def test_bad_colour_is_400_naming_the_field(api, make_person, colour, tenant_a):
    client = api(make_person(Role.ADMIN))
    before = snapshot(Branding, tenant=tenant_a)
    response = client.patch("/api/v1/settings/branding", {"accent_colour": colour})
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == ["accent_colour"]
    assert snapshot(Branding, tenant=tenant_a) == before


def test_logo_must_be_png_or_jpeg(api, make_person, settings, tmp_path, tenant_a):
    settings.MEDIA_ROOT = str(tmp_path)
    client = api(make_person(Role.ADMIN))
    before = snapshot(Branding, tenant=tenant_a), stored_files()
    response = client.put(
        "/api/v1/settings/branding/logo", {"logo": image("GIF")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {"field": "logo", "message": "Use a PNG or JPEG image."}
    ]
    assert (snapshot(Branding, tenant=tenant_a), stored_files()) == before


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.CONTENT_CREATOR, Role.LEARNER])
def test_only_admins_change_branding(api, make_person, role, tenant_a):
    client = api(make_person(role))
    before = snapshot(Branding, tenant=tenant_a)
    response = client.patch("/api/v1/settings/branding", {"primary_colour": "#000000"})
    assert response.status_code == 403
    assert snapshot(Branding, tenant=tenant_a) == before


def test_emails_use_the_tenant_colour(api, make_person, django_capture_on_commit_callbacks):
    admin = make_person(Role.ADMIN)
    client = api(admin)
    client.patch("/api/v1/settings/branding", {"primary_colour": "#aa3300"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/api/v1/users", {"email": "new@example.com"})
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert "background:#aa3300" in html
    assert "Alpha Learning" in html
    assert message.from_email.startswith("Alpha Learning <")


def test_favicon_and_sign_in_image_through_the_api(api, make_person, tenant_a):
    from tests.tenant_apps.branding.conftest import svg_file

    client = api(make_person(Role.ADMIN))
    favicon = client.put(
        "/api/v1/settings/branding/favicon", {"favicon": image("ICO", (32, 32))}, format="multipart"
    )
    assert favicon.status_code == 200
    assert favicon.json()["favicon_url"] == f"/media/{tenant_a.schema}/branding/favicon.ico"
    login = client.put(
        "/api/v1/settings/branding/login-image", {"login_image": image("JPEG")}, format="multipart"
    )
    assert login.json()["login_image_url"] == f"/media/{tenant_a.schema}/branding/login_image.jpg"
    before = snapshot(Branding, tenant=tenant_a)
    refused = client.put("/api/v1/settings/branding/logo", {"logo": svg_file()}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"] == [
        {"field": "logo", "message": "SVG images are not accepted: use a PNG or JPEG image."}
    ]
    assert snapshot(Branding, tenant=tenant_a) == before
