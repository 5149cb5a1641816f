"""/notifications/: one's own notifications, newest first, a page at a time; following one
marks it read and goes where it leads (a local path only); mark one or all read, with plain
forms or HTMX. Anyone else's notification is 404 and stays as it was."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from tenant_apps.notifications.models import Notification
from tests.tenant_apps.notifications.conftest import read_state


def test_signed_out_people_are_sent_to_sign_in(client_a):
    response = client_a.get("/notifications/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/notifications/",
    )


def test_the_list_shows_ones_own_notifications_unread_marked_and_the_header_count(
    portal, learner, other_learner, notify, tenant_a
):
    older = notify(learner, "Enrolled: Safety Basics", "/courses/1/")
    newer = notify(learner, "Your essay in Fire Drill was graded", "/courses/1/lessons/2/")
    notify(other_learner, "Someone else's news")
    with schema_context(tenant_a.schema):
        Notification.objects.filter(pk=older.pk).update(read_at=older.created_at)

    response = portal(learner).get("/notifications/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else" not in html
    # Newest first; only the unread one carries the mark and a "Mark as read" form.
    assert html.index("Fire Drill") < html.index("Safety Basics")
    assert html.count(">Unread</span>") == 1
    assert f'action="/notifications/{newer.pk}/read/"' in html
    assert f'action="/notifications/{older.pk}/read/"' not in html
    assert f'href="/notifications/{newer.pk}/open/"' in html
    assert "You have 1 unread notification." in html
    # The header's Notifications entry carries the unread count.
    assert re.search(r'href="/notifications/"[^>]*>Notifications <span class="count"[^>]*>1<', html)


def test_a_title_with_markup_shows_as_text(portal, learner, notify):
    notify(learner, "<script>alert(1)</script>")
    html = portal(learner).get("/notifications/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_many_notifications_come_a_page_at_a_time_in_a_bounded_number_of_queries(
    portal, learner, notify, django_assert_max_num_queries
):
    for number in range(45):
        notify(learner, f"Notification number {number:02d}")
    browser = portal(learner)
    with django_assert_max_num_queries(12):
        first = browser.get("/notifications/").content.decode()
    with django_assert_max_num_queries(12):
        last = browser.get("/notifications/?page=3").content.decode()
    assert first.count('class="notification ') == 20
    assert "Notification number 44" in first and "Notification number 24" not in first
    assert last.count('class="notification ') == 5
    assert "Page 3 of 3" in last and 'rel="next"' not in last


def test_opening_a_notification_marks_it_read_and_goes_to_its_link(
    portal, learner, notify, tenant_a
):
    notification = notify(learner, link="/courses/7/lessons/9/")
    response = portal(learner).get(f"/notifications/{notification.pk}/open/")
    assert (response.status_code, response["Location"]) == (302, "/courses/7/lessons/9/")
    assert read_state(tenant_a, notification.pk) == [True]


@pytest.mark.parametrize(
    "link", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example"]
)
def test_a_link_off_this_site_is_not_followed(portal, learner, notify, tenant_a, link):
    notification = notify(learner, link=link)
    response = portal(learner).get(f"/notifications/{notification.pk}/open/")
    assert (response.status_code, response["Location"]) == (302, "/notifications/")
    assert read_state(tenant_a, notification.pk) == [True]


def test_someone_elses_notification_is_404_and_stays_unread(
    portal, learner, other_learner, notify, tenant_a
):
    theirs = notify(other_learner)
    browser = portal(learner)
    assert browser.get(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert browser.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert read_state(tenant_a, theirs.pk) == [False]


def test_another_tenants_notification_id_is_404(
    portal, learner, make_person, notify, tenant_a, tenant_b
):
    stranger = make_person(tenant=tenant_b, email="bea@example.com")
    theirs = notify(stranger, tenant=tenant_b)
    with schema_context(tenant_a.schema):
        Notification.objects.filter(pk=theirs.pk).delete()  # no row of that id here
    browser = portal(learner)
    assert browser.get(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert browser.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert read_state(tenant_b, theirs.pk) == [False]


def test_mark_one_read_with_a_plain_form(csrf_portal, learner, notify, tenant_a):
    notification = notify(learner)
    browser = csrf_portal(learner)
    page = browser.get("/notifications/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    done = browser.post(
        f"/notifications/{notification.pk}/read/",
        {"csrfmiddlewaretoken": token, "page": "1"},
        follow=True,
    )
    assert done.redirect_chain == [("/notifications/?page=1", 302)]
    assert "Marked as read." in done.content.decode()
    assert read_state(tenant_a, notification.pk) == [True]


def test_mark_one_read_with_htmx_answers_the_row_and_the_new_counts(
    portal, learner, notify, tenant_a
):
    notify(learner, "Still unread")
    notification = notify(learner, "Enrolled: Fire Drill")
    response = portal(learner).post(
        f"/notifications/{notification.pk}/read/", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="notification" id="notification-{notification.pk}"')
    row = html.split("</li>")[0]
    assert "Fire Drill" in row and "Unread" not in row and "<main" not in html
    assert '<p class="muted" id="unread-summary" hx-swap-oob="true">You have 1 unread' in html
    assert (
        '<span class="count" aria-label="1 unread" hx-swap-oob="outerHTML:.site-account '
        "a[href='/notifications/'] .count\">1</span>" in html
    )
    assert read_state(tenant_a, notification.pk) == [True]


def test_mark_all_read(portal, learner, other_learner, notify, tenant_a):
    mine = [notify(learner).pk for _ in range(3)]
    theirs = notify(other_learner).pk
    done = portal(learner).post("/notifications/read-all/", follow=True)
    assert done.redirect_chain == [("/notifications/", 302)]
    assert "Marked 3 notifications as read." in done.content.decode()
    assert read_state(tenant_a, *mine, theirs) == [True, True, True, False]


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(
    csrf_portal, learner, notify, tenant_a
):
    notification = notify(learner)
    browser = csrf_portal(learner)
    assert browser.post(f"/notifications/{notification.pk}/read/").status_code == 403
    assert browser.post("/notifications/read-all/").status_code == 403
    assert read_state(tenant_a, notification.pk) == [False]


def test_marking_read_takes_a_post(portal, learner, notify, tenant_a):
    notification = notify(learner)
    browser = portal(learner)
    assert browser.get(f"/notifications/{notification.pk}/read/").status_code == 405
    assert browser.get("/notifications/read-all/").status_code == 405
    assert read_state(tenant_a, notification.pk) == [False]
