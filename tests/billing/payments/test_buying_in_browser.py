"""A learner buys a course with Stripe and another with Razorpay in a real browser
(Chromium against gunicorn), with the FAKE provider APIs and FAKE hosted payment pages of
fake_provider_apis.py / fake_hosted_pages.py standing in for Stripe's and Razorpay's
servers: course page → Buy (by keyboard) → the fake hosted page → Pay (the fake sends the
signed webhook, then sends the browser back) → the course page with "Start the course", the
receipt, "My purchases". Each enrollment is activated once (one `enrollment.activated`
outbox row); our pages' Content Security Policy blocks nothing on the way, and axe-core finds
nothing serious or critical on the buying pages."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from billing.payments.models import CoursePayment
from tenant_apps.enrollments.models import Enrollment
from tenant_apps.events.models import OutboxEvent
from tenant_apps.people.models import Role
from tests.billing.payments.conftest import (
    RAZORPAY_KEY_SECRET,
    RAZORPAY_WEBHOOK_SECRET,
    STRIPE_WEBHOOK_SECRET,
    connect_providers,
)
from tests.billing.payments.fake_provider_apis import FakeProviderApis
from tests.browser import (
    RECORD_CSP_VIOLATIONS,
    chromium,
    csp_violations,
    page_for_axe,
    serious_accessibility_violations,
)
from tests.builders import course_build
from tests.factories import PASSWORD, UserFactory
from tests.live import live_server, server_env

SLUG = "buybrowsed"
LEARNER = "buyer@example.com"


@pytest.fixture
def fake():
    with FakeProviderApis() as apis:
        apis.webhook_secrets = {
            "stripe": STRIPE_WEBHOOK_SECRET,
            "razorpay": RAZORPAY_WEBHOOK_SECRET,
        }
        apis.razorpay_key_secret = RAZORPAY_KEY_SECRET
        yield apis


@pytest.fixture
def shop(committed_tenant, django_db_blocker):
    """A committed tenant with both providers connected, a learner and three paid courses."""
    tenant = committed_tenant(SLUG, "Buy Browsed")
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        admin = UserFactory(role=Role.ADMIN, email="buy-admin@example.com")
        UserFactory(role=Role.LEARNER, email=LEARNER)
        connect_providers()
        courses = {
            name: course_build(owner=admin, title=title, price=price, currency=currency)
            for name, title, price, currency in (
                ("stripe", "Birds by Stripe", "49.90", "EUR"),
                ("razorpay", "Birds by Razorpay", "1499.00", "INR"),
                ("offer", "Birds on offer", "1500", "JPY"),
            )
        }
    return tenant, courses


@pytest.fixture
def server(shop, fake, tmp_path):
    env = server_env(
        MEDIA_ROOT=str(tmp_path / "media"),
        PAYMENTS_STRIPE_API_BASE=fake.url,
        PAYMENTS_RAZORPAY_API_BASE=fake.url,
    )
    with live_server(env, tmp_path / "server.log", workers=2) as base_url:
        yield base_url.replace("127.0.0.1", f"{SLUG}.localhost")


def _sign_in(page, server: str) -> None:
    page.goto(f"{server}/accounts/login/")
    page.fill("#id_username", LEARNER)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def _bought(django_db_blocker, schema: str, course) -> tuple[CoursePayment, str, int]:
    with django_db_blocker.unblock(), schema_context(schema):
        payment = CoursePayment.objects.get(course=course)
        enrollment = Enrollment.objects.get(pk=payment.enrollment_id)
        activated = OutboxEvent.objects.filter(
            event_type="enrollment.activated", subject_id=str(enrollment.pk)
        ).count()
        return payment, enrollment.status, activated


def _buy_by_keyboard(page, server: str, course, provider: str) -> None:
    page.goto(f"{server}/courses/{course.pk}/")
    page.fill("#offer-coupon", "")
    page.locator(f"button[name=provider][value={provider}]").focus()
    page.keyboard.press("Enter")


def _back_on_the_course(page, server: str, course) -> None:
    page.wait_for_url(f"{server}/courses/{course.pk}/")
    assert "your payment was received" in page.content()
    assert page.locator("text=Start the course").is_visible()


@pytest.mark.timeout(300)
def test_a_learner_buys_with_stripe_and_with_razorpay_end_to_end(
    shop, server, fake, django_db_blocker
):
    tenant, courses = shop
    with chromium() as browser:
        context = browser.new_context()
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        page = context.new_page()
        _sign_in(page, server)

        # Stripe: Buy → the hand-over page → the fake Checkout page → Pay → back.
        _buy_by_keyboard(page, server, courses["stripe"], "stripe")
        page.wait_for_url(f"{fake.url}/fake-hosted/stripe/**")
        assert "4990 EUR" in page.locator("#fake-amount").inner_text()
        page.get_by_role("button", name="Pay", exact=True).click()
        _back_on_the_course(page, server, courses["stripe"])
        assert csp_violations(page) == []
        page.click("text=Your receipt for this course")
        page.wait_for_url("**/receipt/")
        receipt_url = page.url
        receipt = page.locator("article.receipt").inner_text()
        assert "Birds by Stripe" in receipt and "€49.90" in receipt and "Stripe" in receipt

        # Razorpay: Buy → our page posting to the fake hosted checkout → Pay → the fake
        # posts the signed result to our callback → back.
        _buy_by_keyboard(page, server, courses["razorpay"], "razorpay")
        page.wait_for_selector("text=Continue to Razorpay")
        assert csp_violations(page) == []
        page.locator("text=Continue to Razorpay").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"{fake.url}/v1/checkout/embedded")
        assert "149900 INR" in page.locator("#fake-amount").inner_text()
        page.get_by_role("button", name="Pay", exact=True).click()
        _back_on_the_course(page, server, courses["razorpay"])
        assert csp_violations(page) == []

        page.goto(f"{server}/purchases/")
        listing = page.locator("table").inner_text()
        assert "Birds by Stripe" in listing and "Birds by Razorpay" in listing
        assert "₹1,499.00" in listing

        # What axe-core finds on the buying pages (a context that lets it be injected).
        axe_page = page_for_axe(browser)
        _sign_in(axe_page, server)
        offer = courses["offer"]
        for path in (
            f"/courses/{offer.pk}/",
            f"/courses/{offer.pk}/buy/",
            receipt_url.removeprefix(server),
            "/purchases/",
        ):
            axe_page.goto(f"{server}{path}")
            assert serious_accessibility_violations(axe_page) == [], path
        axe_page.goto(f"{server}/courses/{offer.pk}/")
        assert "¥1,500" in axe_page.content()

    # The database, read outside the browser's event loop (see tests/browser.py).
    for name in ("stripe", "razorpay"):
        payment, status, activated = _bought(django_db_blocker, tenant.schema_name, courses[name])
        assert (payment.status, status, activated) == ("paid", "active", 1), name
    assert [status for _url, status in fake.deliveries] == [200, 200]
