"""The receipt e-mailed to a learner once their course payment is confirmed, written in
their language (core.languages.as_read_by) and sent by the worker after commit."""

from __future__ import annotations

from django.utils.translation import gettext as _

from billing.payments.models import CoursePayment, PaymentStatus
from core.languages import as_read_by
from core.money import Money
from tenant_apps.notifications.email_tasks import Email, email_task
from tenant_apps.notifications.services import TenantIdentity


@email_task("billing.payments.emails.payment_receipt_send")
def payment_receipt_send(payment_id: int, tenant: TenantIdentity) -> Email | None:
    """The receipt for a paid course payment."""
    payment = (
        CoursePayment.objects.select_related("learner", "course")
        .filter(pk=payment_id, status=PaymentStatus.PAID, learner__is_active=True)
        .first()
    )
    if payment is None:
        return None
    learner = payment.learner
    with as_read_by(locale=learner.locale, zone=learner.zone):
        subject = _("Your receipt for %(title)s from %(name)s") % {
            "title": payment.course.title,
            "name": tenant.name,
        }
        return Email(
            to=learner.email,
            subject=subject,
            template="payment_receipt",
            context={
                "user": learner,
                "course": payment.course,
                "payment": payment,
                "amount": payment.money.display(),
                "discount": (
                    Money(payment.discount_amount, payment.currency).display()
                    if payment.discount_amount
                    else ""
                ),
                "course_url": f"{tenant.base_url}/courses/{payment.course_id}/",
            },
        )
