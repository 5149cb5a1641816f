"""The demo tenant's course payments: a few purchases of the paid course, one of them
partly refunded, so the seeded admin dashboard shows a revenue overview and the payment
pages have rows.

No provider runs for the demo (and no provider account is connected), so each purchase is
recorded as Stripe's test mode would have reported it; from there the settlement services
move it as a webhook would: paid (the enrollment activated once), then refunded."""

from __future__ import annotations

from billing.payments.models import CoursePayment, Provider, Refund, RefundStatus
from billing.payments.services.settlement import payment_mark_paid, payment_refunded_to
from tenant_apps.courses.models import Course
from tenant_apps.enrollments.services import enrollment_self_enroll
from tenant_apps.people.models import User


def _purchase(*, learner: User, course: Course, number: int) -> CoursePayment:
    enrollment = enrollment_self_enroll(user=learner, course=course)  # pending: a paid course
    payment = CoursePayment.objects.create(
        enrollment=enrollment,
        learner=learner,
        course=course,
        provider=Provider.STRIPE,
        amount=course.price_amount,
        currency=course.currency,
        list_amount=course.price_amount,
        receipt=f"rcpt_demo_{number:04d}",
        provider_order_id=f"cs_test_demo{number:04d}",
    )
    return payment_mark_paid(
        payment_id=payment.pk,
        amount=course.price_amount,
        currency=course.currency,
        provider_payment_id=f"pi_demo{number:04d}",
    )


def seed_demo_payments(*, course: Course, buyers: list[User], admin: User) -> None:
    """Each of `buyers` bought `course`; the last got part of the price back."""
    payments = [
        _purchase(learner=buyer, course=course, number=number)
        for number, buyer in enumerate(buyers, start=1)
    ]
    refunded = payments[-1]
    part = course.price_amount // 5
    Refund.objects.create(
        payment=refunded,
        amount=part,
        currency=refunded.currency,
        provider_refund_id="re_demo0001",
        status=RefundStatus.SUCCEEDED,
        reason="Joined a week late",
        created_by=admin,
    )
    payment_refunded_to(payment_id=refunded.pk, refunded_amount=part)
