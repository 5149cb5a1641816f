"""A learner's account pages in a real browser: Chromium against gunicorn. The learner opens
a notification from the header's count (it is marked read, the count drops), changes their
time zone and sees a date in the new zone, and creates a personal API token shown once; axe
finds nothing serious or critical on the certificates, notifications, profile, login,
register and set-password pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django_tenants.utils import schema_context

from tests.browser import (
    RECORD_CSP_VIOLATIONS,
    chromium,
    csp_violations,
    page_for_axe,
    serious_accessibility_violations,
)
from tests.live import live_server, server_env

SLUG = "accounted"
PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture
def account_tenant(committed_tenant, django_db_blocker, settings, tmp_path):
    """A committed tenant (the server is another process) that lets people register, with
    Lena (in Berlin) who completed a course with a certificate, two unread notifications
    and an invitee who has not chosen a password yet."""
    from tenant_apps.notifications.models import Notification, NotificationKind
    from tenant_apps.notifications.services import notification_send
    from tenant_apps.people.models import Role, User
    from tenant_apps.people.services import people_policy_update, set_password_url, user_create
    from tests.builders import course_build
    from tests.tenant_apps.certificates.conftest import course_finish

    settings.MEDIA_ROOT = str(tmp_path / "media")
    tenant = committed_tenant(SLUG, "Accounted Academy")
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        people_policy_update(self_registration_enabled=True, actor=None)
        lena = user_create(email="lena@example.com", full_name="Lena Learner", password=PASSWORD)
        User.objects.filter(pk=lena.pk).update(
            time_zone="Europe/Berlin", date_joined=datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
        )
        teacher = user_create(email="ivan@example.com", role=Role.INSTRUCTOR, password=PASSWORD)
        course = course_build(owner=teacher, title="Safety Basics", certificate_enabled=True)
        course_finish(learner=lena, course=course)
        # What finishing said in the app, read; two new ones to open.
        Notification.objects.filter(recipient=lena).update(read_at=datetime.now(UTC))
        notification_send(
            recipient_id=lena.pk,
            kind=NotificationKind.CERTIFICATE,
            title="Your certificates are ready",
            link="/certificates/",
        )
        notification_send(
            recipient_id=lena.pk, kind=NotificationKind.GENERAL, title="Welcome to Accounted"
        )
        invitee = user_create(email="ivy@example.com")
        invitation = set_password_url(user=invitee, host="x").split("x", 1)[1]
    return invitation


@pytest.fixture
def server(account_tenant, tmp_path):
    env = server_env(MEDIA_ROOT=str(tmp_path / "media"))
    with live_server(env, tmp_path / "server.log", workers=1) as base_url:
        yield base_url.replace("127.0.0.1", f"{SLUG}.localhost")


def header_count(page) -> str:
    counts = page.locator('.site-account a[href="/notifications/"] .count')
    return counts.inner_text() if counts.count() else ""


def assert_accessible(page, what: str) -> None:
    assert serious_accessibility_violations(page) == [], what


@pytest.mark.timeout(240)
def test_a_learner_uses_their_account_pages(server, account_tenant):
    with chromium() as browser:
        page = page_for_axe(browser)
        page.set_viewport_size({"width": 360, "height": 800})

        assert page.goto(f"{server}/accounts/login/").status == 200
        assert page.locator('a[href="/accounts/register/"]').inner_text() == "Create an account"
        assert_accessible(page, "login")
        page.fill("#id_username", "lena@example.com")
        page.fill("#id_password", PASSWORD)
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_url(f"{server}/")

        # The header counts two unread notifications; open the list from there.
        assert header_count(page) == "2"
        page.click('.site-account a[href="/notifications/"]')
        page.wait_for_url(f"{server}/notifications/")
        assert page.locator(".notification--unread").count() == 2
        assert_accessible(page, "notifications")

        # Following one marks it read and opens its page; the count drops.
        page.click("text=Your certificates are ready")
        page.wait_for_url(f"{server}/certificates/")
        assert header_count(page) == "1"
        assert page.locator("tbody th[scope=row]").inner_text() == "Safety Basics"
        assert page.locator("button[data-copy-from]").is_visible()  # the script revealed it
        assert_accessible(page, "certificates")

        # Marking the other one read with HTMX swaps its row.
        page.goto(f"{server}/notifications/")
        page.click("button:has-text('Mark as read')")
        page.wait_for_selector(".notification--unread", state="detached")
        assert page.url == f"{server}/notifications/"  # swapped in place, no reload
        assert page.locator(".notification__read").count() == 4  # the course's two and these
        assert header_count(page) == ""  # the count left the header with the last unread
        assert page.locator("#unread-summary").inner_text() == "You have 0 unread notifications."

        # A date on the profile follows the chosen time zone.
        page.goto(f"{server}/account/profile/")
        assert page.locator("#member-since").inner_text() == "Jan. 16, 2026, 12:30 a.m."
        assert_accessible(page, "profile")
        page.select_option("#id_time_zone", "America/New_York")
        page.click("form[action='/account/profile/'] button[type=submit]")
        page.wait_for_selector("text=Your profile is saved.")
        assert page.locator("#member-since").inner_text() == "Jan. 15, 2026, 6:30 p.m."

        # A personal API token is shown once, then never again.
        page.fill("#id_name", "Reports")
        page.click("form[action='/account/profile/tokens/'] button[type=submit]")
        secret = page.locator("#issued-secret").input_value()
        assert secret.startswith("lpt_") and len(secret) > 40
        assert_accessible(page, "profile with a new token")
        page.goto(f"{server}/account/profile/")
        assert page.locator("#issued-secret").count() == 0
        assert secret not in page.content()
        assert page.locator("#tokens tbody th[scope=row]").inner_text() == "Reports"

        # Signed out: the register and set-password pages.
        page.click(".site-account button[type=submit]")  # Sign out
        page.wait_for_url(f"{server}/accounts/login/")
        assert page.goto(f"{server}/accounts/register/").status == 200
        assert_accessible(page, "register")
        page.click("form[action='/accounts/register/'] button[type=submit]")  # empty: refused
        assert page.locator(".error-summary").is_visible()
        assert_accessible(page, "register with errors")
        page.goto(f"{server}{account_tenant}")
        assert page.locator("#id_new_password1").is_visible()
        assert_accessible(page, "set-password")


@pytest.mark.timeout(180)
def test_the_account_pages_keep_the_content_security_policy_and_copy_a_link(server):
    with chromium() as browser:
        context = browser.new_context()  # the real policy: nothing bypassed
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        page = context.new_page()
        page.goto(f"{server}/accounts/login/")
        page.fill("#id_username", "lena@example.com")
        page.fill("#id_password", PASSWORD)
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_url(f"{server}/")
        for path in ("/notifications/", "/account/profile/", "/certificates/"):
            assert page.goto(f"{server}{path}").status == 200, path
            page.wait_for_load_state("networkidle")
            assert csp_violations(page) == [], path
        # On the certificates page: the button copies the verification link.
        link = page.locator("input.copy-link__url").input_value()
        # The tenant's public address (PUBLIC_SCHEME/PUBLIC_PORT), as the API gives it.
        assert link.startswith(f"http://{SLUG}.localhost/certificates/verify/")
        page.click("button[data-copy-from]")
        page.wait_for_selector(".copy-link__status:has-text('Copied')", state="attached")
        assert page.evaluate("navigator.clipboard.readText()") == link
        assert csp_violations(page) == []
