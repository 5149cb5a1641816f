"""The revenue overview billing adds to the dashboards (through
tenant_apps.dashboards.panels): gross, refunded and net per currency on the admin dashboard
(the revenue API's selector),
per course of one's own on an author's "My courses"; never summed across currencies; not
shown to those who may not see it; a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from billing.payments.selectors_revenue import revenue_by_course, revenue_lines
from tenant_apps.people.models import Role
from tests.billing.payments.paid_payments import stripe_paid
from tests.builders import course_build


def _html(response) -> str:
    return response.content.decode()


def test_the_admin_dashboard_shows_revenue_per_currency(
    portal, admin, api, client_a, connected, learner, course, make_person, tenant_a
):
    with schema_context(tenant_a.schema):
        yen_course = course_build(owner=admin, title="Yen course", price="1500", currency="JPY")
    paid = stripe_paid(api, client_a, connected, learner, course, event_id="evt_r1")
    stripe_paid(api, client_a, connected, learner, yen_course, event_id="evt_r2")
    sam = make_person(Role.LEARNER, email="sam@example.com")
    stripe_paid(api, client_a, connected, sam, course, event_id="evt_r3")
    page = portal(admin)
    page.post(f"/manage/payments/{paid}/refund/", {"amount": "10.00", "confirmed": "1"})

    html = _html(page.get("/manage/"))
    assert "Course revenue, last 30 days" in html
    # EUR: two payments of €49.90, €10.00 refunded; JPY apart, never added to it.
    assert (
        '<th scope="row">EUR</th><td>2</td><td>€99.80</td><td>€10.00</td>'
        "<td><strong>€89.80</strong></td>"
    ) in html
    assert (
        '<th scope="row">JPY</th><td>1</td><td>¥1,500</td><td>¥0</td>'
        "<td><strong>¥1,500</strong></td>"
    ) in html
    assert 'href="/manage/payments/"' in html
    with schema_context(tenant_a.schema):
        # Paid before the period: not in it.
        assert revenue_lines(since=timezone.now() + timedelta(hours=1)) == []


def test_revenue_periods_and_a_dashboard_without_payments(portal, admin):
    html = _html(portal(admin).get("/manage/?revenue_days=365"))
    assert "Course revenue, last 365 days" in html
    assert "No course payments or refunds in this period." in html
    # A period not offered falls back to 30 days.
    assert "last 30 days" in _html(portal(admin).get("/manage/?revenue_days=12"))


def test_authors_see_the_revenue_of_their_own_courses_only(
    portal, admin, api, client_a, connected, learner, course, make_person, tenant_a
):
    ivan = make_person(Role.INSTRUCTOR, email="ivan@example.com")
    with schema_context(tenant_a.schema):
        ivans = course_build(owner=ivan, title="Ivan's paid course", price="20", currency="USD")
    stripe_paid(api, client_a, connected, learner, ivans, event_id="evt_t1")
    stripe_paid(api, client_a, connected, learner, course, event_id="evt_t2")  # Ada's course
    html = _html(portal(ivan).get("/teach/courses/"))
    assert "Revenue of your courses, last 30 days" in html
    assert (
        '<th scope="row">Ivan&#x27;s paid course</th><td>USD</td><td>1</td><td>$20.00</td>' in html
    )
    assert "Paid birds" not in html.split("Revenue of your courses")[1]
    with schema_context(tenant_a.schema):
        now = timezone.now()
        rows = revenue_by_course(since=now - timedelta(days=1), owner_id=ivan.pk)
        assert [(row.title, [line.net.amount for line in row.lines]) for row in rows] == [
            ("Ivan's paid course", [2000])
        ]
    # An author whose courses took no money sees no revenue panel; a learner no menu entry.
    cora = make_person(Role.CONTENT_CREATOR, email="cora@example.com")
    assert "Revenue of your courses" not in _html(portal(cora).get("/teach/courses/"))
    assert "Course revenue" not in _html(portal(ivan).get("/teach/courses/"))


def test_the_revenue_panel_costs_the_same_with_more_payments(
    portal, admin, api, client_a, connected, course, make_person, django_assert_max_num_queries
):
    page = portal(admin)
    page.get("/manage/")
    for number in range(4):
        person = make_person(Role.LEARNER, email=f"buyer{number}@example.com")
        stripe_paid(api, client_a, connected, person, course, event_id=f"evt_q{number}")
    with django_assert_max_num_queries(18):
        html = _html(page.get("/manage/"))
    assert "€199.60" in html
