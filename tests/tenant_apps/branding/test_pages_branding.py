"""The branding page: admins edit a draft, preview it on the real pages (only they see it),
publish it; everyone else, e-mails and certificates only ever wear the published one."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditEntry
from tenant_apps.branding.models import Branding, BrandingDraft
from tenant_apps.branding.services import branding_current, branding_draft_save
from tenant_apps.people.models import Role
from tests.snapshots import snapshot
from tests.tenant_apps.branding.conftest import image_file, svg_file

TOKENS = re.compile(r'<link rel="stylesheet" href="(/branding/tokens\.css\?[^"]+)">')
URL = "/manage/branding/"

DRAFT = {
    "primary_colour": "#aa3300",
    "accent_colour": "#f59f00",
    "font": "transitional",
    "welcome_text": "Welcome to Alpha",
    "email_sender_name": "Alpha Academy",
    "email_footer": "Alpha Learning, 1 Main Street",
}


def tokens_of(client, path: str = "/") -> str:
    page = client.get(path)
    assert page.status_code == 200, path
    (url,) = TOKENS.findall(page.content.decode())
    return client.get(url.replace("&amp;", "&")).content.decode()


def test_an_admin_sees_the_form_in_a_bounded_number_of_queries(
    portal, admin, django_assert_max_num_queries
):
    client = portal(admin)
    with django_assert_max_num_queries(12):
        page = client.get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_primary_colour">Primary colour</label>' in html
    assert 'aria-current="page">Branding</a>' in html  # the admin menu's entry
    assert 'value="#3b5bdb"' in html


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR, Role.CONTENT_CREATOR])
def test_other_roles_get_403_and_change_nothing(portal, make_person, role, tenant_a):
    client = portal(make_person(role))
    before = snapshot(Branding, BrandingDraft, tenant=tenant_a)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {**DRAFT}).status_code == 403
    assert client.post("/manage/branding/publish/").status_code == 403
    assert client.post("/manage/branding/preview/", {"action": "start"}).status_code == 403
    assert snapshot(Branding, BrandingDraft, tenant=tenant_a) == before


def test_signed_out_people_are_sent_to_sign_in(portal):
    response = portal().get(URL)
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=" + URL)


def test_saving_changes_the_draft_only(portal, admin, learner, tenant_a):
    response = portal(admin).post(URL, DRAFT)
    assert (response.status_code, response["Location"]) == (302, URL)
    with schema_context(tenant_a.schema):
        draft = BrandingDraft.objects.get()
        assert (draft.primary_colour, draft.font, draft.email_sender_name) == (
            "#aa3300",
            "transitional",
            "Alpha Academy",
        )
        assert branding_current().primary_colour == "#3b5bdb"
        entry = AuditEntry.objects.get(action="branding.draft_saved")
        assert (entry.actor_id, entry.after["primary_colour"]) == (admin.pk, "#aa3300")
    # Nobody sees it: not learners, not the admin until they preview it.
    for person in (learner, admin):
        assert "--colour-primary: #3b5bdb;" in tokens_of(portal(person))


def test_a_low_contrast_colour_is_refused_naming_the_pair_and_its_ratio(portal, admin, tenant_a):
    before = snapshot(Branding, BrandingDraft, tenant=tenant_a)
    response = portal(admin).post(URL, {**DRAFT, "primary_colour": "#ffdd00"})
    html = response.content.decode()
    assert response.status_code == 400
    message = (
        "Links in the primary colour #ffdd00 on the white page read at only 1.3:1; choose a "
        "colour that reaches 4.5:1 on white."
    )
    assert f'<ul class="errorlist" id="id_primary_colour_error"><li>{message}</li></ul>' in html
    assert f'<a href="#id_primary_colour">Primary colour: {message}</a>' in html
    assert 'aria-describedby="id_primary_colour_helptext id_primary_colour_error"' in html
    assert 'value="#ffdd00"' in html  # what was typed is kept
    assert snapshot(Branding, BrandingDraft, tenant=tenant_a) == before


def test_a_colour_neither_text_reads_on_is_refused_with_both_ratios(portal, admin):
    response = portal(admin).post(URL, {**DRAFT, "accent_colour": "#808080"})
    assert response.status_code == 400
    assert (
        "Neither white text (3.9:1) nor dark text (3.7:1) reads on #808080"
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("field", "upload", "message"),
    [
        ("logo", lambda: svg_file(), "SVG images are not accepted: use a PNG or JPEG image."),
        # An SVG under another name is still refused.
        (
            "logo",
            lambda: svg_file("logo.png"),
            "SVG images are not accepted: use a PNG or JPEG image.",
        ),
        (
            "favicon",
            lambda: svg_file("icon.svg"),
            "SVG images are not accepted: use a ICO or PNG image.",
        ),
        ("login_image", lambda: image_file("GIF"), "Use a PNG or JPEG image."),
        ("favicon", lambda: image_file("JPEG"), "Use a ICO or PNG image."),
    ],
)
def test_images_other_than_png_or_jpeg_are_refused_naming_the_field(
    portal, admin, tenant_a, field, upload, message
):
    before = snapshot(Branding, BrandingDraft, tenant=tenant_a)
    response = portal(admin).post(URL, {**DRAFT, field: upload()})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in html
    assert snapshot(Branding, BrandingDraft, tenant=tenant_a) == before


def test_images_are_kept_in_the_draft_and_only_admins_may_open_them(
    portal, admin, learner, tenant_a
):
    response = portal(admin).post(
        URL,
        {**DRAFT, "logo": image_file("PNG"), "favicon": image_file("ICO", size=(32, 32))},
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema):
        draft = BrandingDraft.objects.get()
    assert draft.logo.name.startswith("branding/draft/logo-")
    assert draft.favicon.name.endswith(".ico")
    assert portal(admin).get(draft.logo.url).status_code == 200
    assert portal(learner).get(draft.logo.url).status_code == 404
    assert portal().get(draft.logo.url).status_code == 404


def test_preview_shows_the_draft_to_that_admin_only(portal, admin, make_person, learner, tenant_a):
    other_admin = make_person(Role.ADMIN)
    previewer = portal(admin)
    previewer.post(URL, DRAFT)
    response = previewer.post("/manage/branding/preview/", {"action": "start"})
    assert (response.status_code, response["Location"]) == (302, URL)

    page = previewer.get(URL).content.decode()
    assert "Previewing draft" in page
    css = tokens_of(previewer)
    assert "--colour-primary: #aa3300;" in css
    assert "--font-body: Charter" in css
    for person in (learner, other_admin):
        client = portal(person)
        assert "--colour-primary: #3b5bdb;" in tokens_of(client)
        # Asking for the draft's stylesheet without previewing gives the published one.
        css = client.get("/branding/tokens.css?draft=1")
        assert "--colour-primary: #3b5bdb;" in css.content.decode()
        assert (
            "Previewing draft"
            not in client.get(URL if person.role == Role.ADMIN else "/").content.decode()
        )
    assert "--colour-primary: #3b5bdb;" in tokens_of(portal(), "/accounts/login/")

    previewer.post("/manage/branding/preview/", {"action": "stop"})
    assert "--colour-primary: #3b5bdb;" in tokens_of(previewer)


def test_publishing_makes_the_draft_live_for_everyone(portal, admin, learner, tenant_a):
    client = portal(admin)
    client.post(URL, {**DRAFT, "logo": image_file("PNG")})
    client.post("/manage/branding/preview/", {"action": "start"})
    response = client.post("/manage/branding/publish/")
    assert (response.status_code, response["Location"]) == (302, URL)
    with schema_context(tenant_a.schema):
        published = Branding.objects.get()
        entry = AuditEntry.objects.get(action="branding.published")
    assert (published.primary_colour, published.font) == ("#aa3300", "transitional")
    assert published.logo.name.startswith("branding/logo-")  # copied where everyone may read
    assert (entry.actor_id, entry.after["primary_colour"]) == (admin.pk, "#aa3300")
    assert "--colour-primary: #aa3300;" in tokens_of(portal(learner))
    assert portal().get(published.logo.url).status_code == 200
    # Publishing ends the preview: the admin sees what everyone sees.
    assert "Previewing draft" not in client.get(URL).content.decode()


def test_the_sign_in_page_shows_the_published_image_and_welcome_text_as_text(
    portal, admin, tenant_a
):
    client = portal(admin)
    client.post(
        URL,
        {**DRAFT, "welcome_text": "<script>alert(1)</script>", "login_image": image_file("JPEG")},
    )
    assert "alert(1)" not in portal().get("/accounts/login/").content.decode()  # a draft yet
    client.post("/manage/branding/publish/")
    with schema_context(tenant_a.schema):
        image_url = branding_current().login_image.url
    html = portal().get("/accounts/login/").content.decode()
    assert '<p class="branding-welcome__text">&lt;script&gt;alert(1)&lt;/script&gt;</p>' in html
    assert f'<img class="branding-welcome__image" src="{image_url}" alt="">' in html


def test_emails_use_the_published_sender_footer_and_colour(
    api, admin, tenant_a, django_capture_on_commit_callbacks
):
    def invite(email: str):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert api(admin).post("/api/v1/users", {"email": email}).status_code == 201
        (message,) = mail.outbox
        return message

    with schema_context(tenant_a.schema):
        branding_draft_save(actor=admin, **DRAFT)
    drafted = invite("first@example.com")
    assert drafted.from_email.startswith("Alpha Learning <")
    assert "Alpha Learning, 1 Main Street" not in drafted.body
    assert "background:#3b5bdb" in drafted.alternatives[0][0]

    assert api(admin).post("/api/v1/settings/branding/draft/publish").status_code == 200
    published = invite("second@example.com")
    html = published.alternatives[0][0]
    assert published.from_email.startswith("Alpha Academy <")
    assert published.body.rstrip().endswith("-- \nAlpha Learning, 1 Main Street")
    assert "Alpha Learning, 1 Main Street" in html
    assert "background:#aa3300" in html


def test_certificates_wear_the_published_colours(admin, tenant_a):
    from tenant_apps.certificates.models import Certificate
    from tenant_apps.certificates.services import certificate_artwork

    certificate = Certificate(
        learner_name="Lena",
        course_title="Safety",
        issued_on=datetime.date(2026, 11, 29),
        code="ABC123",
    )
    with schema_context(tenant_a.schema):
        branding_draft_save(actor=admin, primary_colour="#123456", accent_colour="#0055ff")
        drafted = certificate_artwork(certificate)
        from tenant_apps.branding.services import branding_publish

        branding_publish(actor=admin)
        published = certificate_artwork(certificate)
    assert (drafted.primary_colour, drafted.accent_colour) == ("#3b5bdb", "#f59f00")
    assert (published.primary_colour, published.accent_colour) == ("#123456", "#0055ff")


def test_the_api_reads_and_writes_the_new_fields(api, admin, learner):
    client = api(admin)
    changed = client.patch(
        "/api/v1/settings/branding",
        {"font": "rounded", "welcome_text": "Hello", "email_sender_name": "Alpha"},
    )
    assert changed.status_code == 200
    body = api(learner).get("/api/v1/settings/branding").json()
    assert (body["font"], body["welcome_text"], body["email_sender_name"]) == (
        "rounded",
        "Hello",
        "Alpha",
    )
    assert {"favicon_url", "login_image_url", "email_footer"} <= set(body)
    refused = client.patch("/api/v1/settings/branding/draft", {"primary_colour": "#ffdd00"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "colour_contrast_too_low"
    assert api(learner).get("/api/v1/settings/branding/draft").status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("welcome_text", "x" * 501, "Use at most 500 characters."),
        ("email_footer", "x" * 501, "Use at most 500 characters."),
        (
            "email_sender_name",
            "Alpha <evil@example.com>",
            "Use a name without &lt;, &gt;, &quot; or @.",
        ),
        ("email_sender_name", "Alpha\rBcc: x", "Use plain text on one line."),
        (
            "font",
            "comic-sans",
            "Select a valid choice. comic-sans is not one of the available choices.",
        ),
    ],
)
def test_text_and_font_rules_are_shown_next_to_the_field(
    portal, admin, tenant_a, field, value, message
):
    before = snapshot(Branding, BrandingDraft, tenant=tenant_a)
    response = portal(admin).post(URL, {**DRAFT, field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in html
    assert snapshot(Branding, BrandingDraft, tenant=tenant_a) == before


def test_the_published_favicon_is_every_pages_icon(portal, admin, tenant_a):
    client = portal(admin)
    client.post(URL, {**DRAFT, "favicon": image_file("PNG", size=(32, 32))})
    # Until it is published, pages show Lectern's own icon.
    assert '<link rel="icon" href="/static/lectern/favicon.png">' in (
        portal().get("/accounts/login/").content.decode()
    )
    client.post("/manage/branding/publish/")
    with schema_context(tenant_a.schema):
        favicon = branding_current().favicon.url
    assert (
        f'<link rel="icon" href="{favicon}">' in portal().get("/accounts/login/").content.decode()
    )
    assert portal().get(favicon).status_code == 200
