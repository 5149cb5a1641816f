"""/account/profile/: name, language and time zone, avatar, password and personal API
tokens, through the same services as /api/v1/me. A refusal shows next to its field with what
was typed kept (400); a success redirects with a message."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from tenant_apps.people.models import PersonalAccessToken, User
from tenant_apps.people.tokens import hash_secret, personal_token_issue
from tests.factories import PASSWORD
from tests.snapshots import snapshot
from tests.tenant_apps.people.conftest import csrf_of


@pytest.fixture(autouse=True)
def _limits(fresh_limits, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def person_rows(tenant) -> dict:
    return snapshot(User, PersonalAccessToken, tenant=tenant)


def field_error(html: str, field: str) -> list[str]:
    """The errors shown next to a field (its `<ul id="id_<field>_error">`)."""
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def test_signed_out_people_are_sent_to_sign_in(client_a):
    for response in (
        client_a.get("/account/profile/"),
        client_a.post("/account/profile/password/", {"current_password": "x"}),
    ):
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/?next="
        )


def test_the_profile_shows_the_persons_details(portal, learner):
    response = portal(learner).get("/account/profile/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Lena Learner"' in html
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in html
    assert '<option value="en" selected>English</option>' in html
    assert re.search(r'<a href="/account/profile/" aria-current="page">Profile</a>', html)
    for label in ("id_full_name", "id_locale", "id_time_zone", "id_avatar", "id_name"):
        assert f'<label for="{label}">' in html, label


def test_changing_the_time_zone_shows_dates_in_the_new_zone(portal, learner, tenant_a):
    with schema_context(tenant_a.schema):
        User.objects.filter(pk=learner.pk).update(
            date_joined=datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
        )
    browser = portal(learner)
    assert "Jan. 16, 2026, 12:30 a.m." in browser.get("/account/profile/").content.decode()
    done = browser.post(
        "/account/profile/",
        {"full_name": "Lena Lernerin", "locale": "en", "time_zone": "America/New_York"},
        follow=True,
    )
    assert done.redirect_chain == [("/account/profile/", 302)]
    html = done.content.decode()
    assert "Your profile is saved." in html
    assert "Jan. 15, 2026, 6:30 p.m." in html
    with schema_context(tenant_a.schema):
        saved = User.objects.get(pk=learner.pk)
    assert (saved.full_name, saved.time_zone) == ("Lena Lernerin", "America/New_York")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Select a valid choice."),
        ({"locale": "xx"}, "locale", "Select a valid choice."),
        ({"full_name": "x" * 201}, "full_name", "Ensure this value has at most 200 characters"),
    ],
)
def test_a_refused_detail_shows_next_to_its_field_and_changes_nothing(
    portal, learner, tenant_a, changes, field, message
):
    typed = {"full_name": "Lena Typed", "locale": "en", "time_zone": "Europe/Paris", **changes}
    browser = portal(learner)
    before = person_rows(tenant_a)
    response = browser.post("/account/profile/", typed)
    html = response.content.decode()
    assert response.status_code == 400
    assert any(message in error for error in field_error(html, field))
    assert '<div class="error-summary"' in html and f'href="#id_{field}"' in html
    assert f'aria-describedby="id_{field}' in html
    if field != "full_name":
        assert 'value="Lena Typed"' in html  # what was typed is kept
    assert person_rows(tenant_a) == before


def png(size: int = 8) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "#3366cc").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "me.png"
    return buffer


def test_an_avatar_is_uploaded(portal, learner, tenant_a):
    done = portal(learner).post("/account/profile/avatar/", {"avatar": png()}, follow=True)
    assert done.redirect_chain == [("/account/profile/", 302)]
    assert "Your avatar is saved." in done.content.decode()
    with schema_context(tenant_a.schema):
        avatar = User.objects.get(pk=learner.pk).avatar
    assert avatar.name.endswith(".png")
    assert f'src="{avatar.url}"' in done.content.decode()


def test_a_file_that_is_not_an_image_is_refused_next_to_the_field(portal, learner, tenant_a):
    fake = io.BytesIO(b"<svg onload=alert(1)></svg>")
    fake.name = "me.png"
    browser = portal(learner)
    before = person_rows(tenant_a)
    response = browser.post("/account/profile/avatar/", {"avatar": fake})
    assert response.status_code == 400
    assert field_error(response.content.decode(), "avatar") == ["The file is not an image."]
    assert person_rows(tenant_a) == before


def test_changing_the_password_keeps_this_browser_and_ends_other_sign_ins(
    portal, learner, tenant_a, django_capture_on_commit_callbacks
):
    here, elsewhere = portal(learner), portal(learner)
    with django_capture_on_commit_callbacks(execute=True):
        done = here.post(
            "/account/profile/password/",
            {"current_password": PASSWORD, "new_password": "a-brand-new-pass-phrase"},
            follow=True,
        )
    assert done.redirect_chain == [("/account/profile/", 302)]
    assert "Your password is changed. Every other sign-in has ended." in done.content.decode()
    assert here.get("/account/profile/").status_code == 200
    assert elsewhere.get("/account/profile/").status_code == 302  # signed out
    with schema_context(tenant_a.schema):
        assert User.objects.get(pk=learner.pk).check_password("a-brand-new-pass-phrase")
    assert [message.subject for message in mail.outbox] == [
        "Your password for Alpha Learning was changed"
    ]


@pytest.mark.parametrize(
    ("typed", "field", "errors"),
    [
        (
            {"current_password": "not-it", "new_password": "a-brand-new-pass-phrase"},
            "current_password",
            ["This is not your current password."],
        ),
        (
            {"current_password": PASSWORD, "new_password": "12345678"},
            "new_password",
            ["This password is too common.", "This password is entirely numeric."],
        ),
        ({"current_password": PASSWORD, "new_password": ""}, "new_password", None),
    ],
)
def test_a_refused_password_shows_next_to_its_field_and_changes_nothing(
    portal, learner, tenant_a, typed, field, errors
):
    browser = portal(learner)
    before = person_rows(tenant_a)
    response = browser.post("/account/profile/password/", typed)
    html = response.content.decode()
    assert response.status_code == 400
    shown = field_error(html, field)
    assert shown == errors if errors else shown
    assert 'type="password"' in html and PASSWORD not in html  # passwords are never echoed
    assert person_rows(tenant_a) == before


def test_wrong_current_passwords_are_throttled_like_sign_in(portal, learner):
    browser = portal(learner)
    typed = {"current_password": "wrong", "new_password": "a-brand-new-pass-phrase"}
    statuses = [browser.post("/account/profile/password/", typed).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    assert (
        "Too many failed sign-ins."
        in browser.post("/account/profile/password/", typed).content.decode()
    )


def test_a_token_is_created_and_its_secret_shown_once(portal, learner, tenant_a):
    browser = portal(learner)
    response = browser.post(
        "/account/profile/tokens/", {"name": "HR reports", "expires_on": "2099-12-31"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r'id="issued-secret" readonly value="(lpt_[^"]+)"', html).group(1)
    with schema_context(tenant_a.schema):
        token = PersonalAccessToken.objects.get(user=learner)
    assert (token.name, token.token_hash) == ("HR reports", hash_secret(secret))
    # The end of that day in Lena's Berlin.
    assert token.expires_at.astimezone(learner.zone).strftime("%Y-%m-%d %H:%M") == (
        "2099-12-31 23:59"
    )
    again = browser.get("/account/profile/").content.decode()
    assert secret not in again and "HR reports" in again and token.prefix in again


def test_a_token_expiring_in_the_past_is_refused(portal, learner, tenant_a):
    yesterday = (timezone.localdate() - timedelta(days=2)).isoformat()
    response = portal(learner).post(
        "/account/profile/tokens/", {"name": "Old", "expires_on": yesterday}
    )
    assert response.status_code == 400
    assert field_error(response.content.decode(), "expires_on") == ["Choose today or a later day."]
    with schema_context(tenant_a.schema):
        assert not PersonalAccessToken.objects.exists()


def test_a_token_name_with_markup_shows_as_text(portal, learner, tenant_a):
    with schema_context(tenant_a.schema):
        personal_token_issue(user=learner, name="<script>alert(1)</script>")
    html = portal(learner).get("/account/profile/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_revoking_one_token_and_then_all(portal, learner, tenant_a):
    with schema_context(tenant_a.schema):
        first = personal_token_issue(user=learner, name="first").token
        second = personal_token_issue(user=learner, name="second").token
        third = personal_token_issue(user=learner, name="third").token
    browser = portal(learner)
    done = browser.post(f"/account/profile/tokens/{first.pk}/revoke/", follow=True)
    assert done.redirect_chain == [("/account/profile/#tokens", 302)]
    assert "The token is revoked." in done.content.decode()
    assert browser.post(f"/account/profile/tokens/{first.pk}/revoke/").status_code == 404
    done = browser.post("/accounts/tokens/revoke-all/", {"from": "profile"}, follow=True)
    assert done.redirect_chain == [("/account/profile/#tokens", 302)]
    assert "Revoked 2 personal API tokens." in done.content.decode()
    with schema_context(tenant_a.schema):
        revoked = PersonalAccessToken.objects.filter(revoked_at__isnull=False)
        assert set(revoked.values_list("pk", flat=True)) == {first.pk, second.pk, third.pk}


def test_someone_elses_token_is_404_and_stays(portal, learner, other_learner, tenant_a):
    with schema_context(tenant_a.schema):
        theirs = personal_token_issue(user=other_learner, name="theirs").token
    browser = portal(learner)
    before = person_rows(tenant_a)
    assert browser.post(f"/account/profile/tokens/{theirs.pk}/revoke/").status_code == 404
    assert person_rows(tenant_a) == before


def test_another_tenants_token_id_is_404(portal, learner, make_person, tenant_a, tenant_b):
    stranger = make_person(tenant=tenant_b, email="bea@example.com")
    with schema_context(tenant_b.schema):
        theirs = personal_token_issue(user=stranger, name="theirs").token
    with schema_context(tenant_a.schema):
        PersonalAccessToken.objects.filter(pk=theirs.pk).delete()
    assert portal(learner).post(f"/account/profile/tokens/{theirs.pk}/revoke/").status_code == 404
    with schema_context(tenant_b.schema):
        assert PersonalAccessToken.objects.get(pk=theirs.pk).revoked_at is None


def test_every_form_needs_the_csrf_token(csrf_portal, learner, tenant_a):
    with schema_context(tenant_a.schema):
        token = personal_token_issue(user=learner, name="kept").token
    browser = csrf_portal(learner)
    before = person_rows(tenant_a)
    for path, data in [
        ("/account/profile/", {"full_name": "X", "locale": "en", "time_zone": "UTC"}),
        ("/account/profile/password/", {"current_password": PASSWORD, "new_password": "n3w-pa55"}),
        ("/account/profile/tokens/", {"name": "sneaky"}),
        (f"/account/profile/tokens/{token.pk}/revoke/", {}),
        ("/account/profile/avatar/", {"avatar": png()}),
    ]:
        assert browser.post(path, data).status_code == 403, path
    assert person_rows(tenant_a) == before
    # With the page's token the same form works.
    page = browser.get("/account/profile/").content.decode()
    done = browser.post(
        "/account/profile/",
        {
            "csrfmiddlewaretoken": csrf_of(page),
            "full_name": "X",
            "locale": "en",
            "time_zone": "UTC",
        },
    )
    assert done.status_code == 302


def test_the_profile_runs_a_bounded_number_of_queries(
    portal, learner, tenant_a, django_assert_max_num_queries
):
    with schema_context(tenant_a.schema):
        for number in range(30):
            personal_token_issue(user=learner, name=f"token {number}")
    browser = portal(learner)
    with django_assert_max_num_queries(10):
        html = browser.get("/account/profile/").content.decode()
    assert html.count("/revoke/") == 30
