"""A tenant admin in a real browser (Chromium, gunicorn): invites two people by pasting
their addresses, assigns a course to their group with a due date, finds both actions in
the audit log, and deletes one of the two (confirming first); axe-core finds nothing
serious or critical on the admin pages, and the dashboard's charts draw under the Content
Security Policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.people.models import Role, User
from tenant_apps.people.services import group_save, password_set
from tests.browser import (
    RECORD_CSP_VIOLATIONS,
    chromium,
    csp_violations,
    page_for_axe,
    serious_accessibility_violations,
)
from tests.builders import course_build
from tests.factories import PASSWORD
from tests.live import live_server, server_env

SLUG = "managed"
ADMIN = f"admin@{SLUG}.example.com"


@pytest.fixture
def managed_tenant(committed_tenant, django_db_blocker):
    """A committed tenant (the server is another process): its admin with a password, a
    published course and an empty group."""
    tenant = committed_tenant(SLUG, "Managed Academy")
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        admin = User.objects.get(email=ADMIN)
        password_set(user=admin, new_password=PASSWORD)
        course_build(owner=admin, title="Fire safety")
        group_save(name="New starters", kind="group", actor=admin)
    return tenant


@pytest.fixture
def server(managed_tenant, tmp_path):
    with live_server(server_env(), tmp_path / "server.log", workers=1) as base_url:
        yield base_url.replace("127.0.0.1", f"{SLUG}.localhost")


def sign_in(page, server: str) -> None:
    page.goto(f"{server}/accounts/login/?next=/manage/")
    page.fill("#id_username", ADMIN)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/manage/")


@pytest.mark.timeout(240)
def test_admin_invites_assigns_and_audits_in_the_browser(server, managed_tenant, django_db_blocker):
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    with chromium() as browser:
        page = page_for_axe(browser)
        sign_in(page, server)
        assert serious_accessibility_violations(page) == [], "dashboard"

        # Invite two people by pasting their addresses, into the group.
        page.click("nav.admin-nav >> text=People")
        page.click("text=Invite people")
        page.fill("#id_emails", "Mia@example.com,\nnoah@example.com\n")
        page.check("label:has-text('New starters') input")
        page.click("button:has-text('Send invitations')")
        page.wait_for_url(f"{server}/manage/people/")
        assert "Invited 2 people: mia@example.com, noah@example.com." in page.inner_text("main")
        assert serious_accessibility_violations(page) == [], "people"

        page.get_by_role("link", name="mia@example.com").click()
        page.wait_for_url(f"{server}/manage/people/*/")
        assert page.inner_text("h1") == "mia@example.com"
        assert page.is_checked("label:has-text('New starters') input")
        assert serious_accessibility_violations(page) == [], "person"

        # Assign the course to the group with a due date.
        page.click("nav.admin-nav >> text=Enrollments")
        page.click("text=Assign a course")
        page.select_option("#id_course", label="Fire safety")
        page.check("label:has-text('New starters') input")
        page.fill("#id_due_date", due)
        assert serious_accessibility_violations(page) == [], "assign"
        page.click("button:has-text('Assign')")
        page.wait_for_url(f"{server}/manage/enrollments/")
        assert "Assigned to the group New starters: 2 enrolled" in page.inner_text("main")
        expect(page.locator("tbody tr")).to_have_count(2)
        assert serious_accessibility_violations(page) == [], "enrollments"

        page.click("nav.admin-nav >> text=Settings")
        assert serious_accessibility_violations(page) == [], "settings"

        # The audit log, filtered to each action.
        page.click("nav.admin-nav >> text=Audit log")
        assert serious_accessibility_violations(page) == [], "audit"
        page.select_option("#id_action", "group.course_assigned")
        page.click("button:has-text('Filter')")
        page.wait_for_url("**/manage/audit/?*action=group.course_assigned*")
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(1)
        assert "New starters" in rows.first.inner_text()
        assert "Fire safety" in rows.first.inner_text()
        page.select_option("#id_action", "user.invited")
        page.click("button:has-text('Filter')")
        page.wait_for_url("**/manage/audit/?*action=user.invited*")
        expect(page.locator("tbody tr")).to_have_count(2)
        invited = page.locator("tbody tr").all_inner_texts()
        assert sorted("mia@" in row for row in invited) == [False, True]
        assert all(ADMIN in row for row in invited)

        # Delete Mia: asked to confirm, then shown as deleted with the date her details go.
        page.click("nav.admin-nav >> text=People")
        page.get_by_role("link", name="mia@example.com").click()
        page.wait_for_url(f"{server}/manage/people/*/")
        assert "erased after 30 days" in page.inner_text("main")
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.click("button:has-text('Delete person')")
        page.wait_for_load_state()
        expect(page.locator("main")).to_contain_text("they are signed out everywhere")
        assert asked == ["Delete mia@example.com? This cannot be undone."]
        assert page.locator(".badge", has_text="Deleted").is_visible()
        assert "To be anonymised" in page.inner_text("main")
        assert page.locator("button:has-text('Reactivate')").count() == 0
        assert serious_accessibility_violations(page) == [], "deleted person"

        # The dashboard's charts draw under the real policy, breaking none of it.
        context = browser.new_context()
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        strict = context.new_page()
        sign_in(strict, server)
        strict.wait_for_load_state("networkidle")
        assert strict.evaluate(
            "Array.from(document.querySelectorAll('canvas[data-chart]'))"
            ".every(c => window.Chart && window.Chart.getChart(c))"
        )
        assert csp_violations(strict) == []

        # Every admin page fits a 360 px wide phone: wide tables scroll in their own box.
        strict.set_viewport_size({"width": 360, "height": 740})
        for path in (
            "/manage/",
            "/manage/people/",
            "/manage/people/invite/",
            "/manage/enrollments/",
            "/manage/enrollments/assign/",
            "/manage/settings/",
            "/manage/audit/",
        ):
            strict.goto(f"{server}{path}")
            width = strict.evaluate("document.documentElement.scrollWidth")
            wide = strict.evaluate(
                "Array.from(document.querySelectorAll('body *'))"
                ".filter(e => e.getBoundingClientRect().right > 361)"
                ".slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' '"
                " + Math.round(e.getBoundingClientRect().right))"
            )
            assert width <= 360, (path, width, wide)
        assert csp_violations(strict) == []

    with django_db_blocker.unblock(), schema_context(managed_tenant.schema_name):
        enrolled = Enrollment.objects.filter(course__title="Fire safety").order_by("user__email")
        assert [(e.user.email, e.source, e.user.role) for e in enrolled] == [
            ("mia@example.com", "group", Role.LEARNER),
            ("noah@example.com", "group", Role.LEARNER),
        ]
        assert all(timezone.localtime(e.due_at).date().isoformat() == due for e in enrolled)
        assert AuditEntry.objects.filter(action=AuditAction.USER_INVITED).count() == 2
        mia = User.objects.get(email="mia@example.com")
        assert (mia.is_active, mia.removed_at is not None, mia.anonymised_at) == (False, True, None)
