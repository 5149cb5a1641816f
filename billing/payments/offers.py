"""What course payments add to the LMS pages through `core.purchasing`: the offer on a paid
course's page (price, tax note, coupon field, one Buy button per connected provider; or,
once bought, a link to the receipt) and the tax note beside prices in the catalogue."""

from __future__ import annotations

from django.utils.translation import gettext as _

from billing.payments.models import (
    SETTLED_STATUSES,
    CoursePayment,
    PaymentAccount,
    PaymentSettings,
    PaymentStatus,
)
from billing.payments.permissions import may_buy_courses
from core.purchasing import PurchaseOffer


def connected_providers() -> list[tuple[str, str]]:
    """(value, label) of each provider the tenant has connected and enabled."""
    return [
        (account.provider, account.get_provider_display())
        for account in PaymentAccount.objects.filter(enabled=True).order_by("provider")
    ]


def tax_note() -> str:
    """The tenant's tax label as it wrote it ("incl. VAT", "+ GST"); "plus tax" when prices
    do not include tax and no label is set; "" otherwise."""
    row = PaymentSettings.objects.filter(pk=1).first()
    if row is None:
        return ""
    if row.tax_label:
        return row.tax_label
    return "" if row.prices_include_tax else _("plus tax")


def prices_include_tax() -> bool:
    row = PaymentSettings.objects.filter(pk=1).first()
    return row.prices_include_tax if row else True


def price_note(request) -> str:
    """Beside every price, once the tenant takes payments: its tax note."""
    if not PaymentAccount.objects.filter(enabled=True).exists():
        return ""
    return tax_note()


def course_offer(request, course, enrollment) -> PurchaseOffer | None:
    """The course page's offer for a paid course: Buy (with a coupon field) while the
    viewer is not enrolled or their enrollment waits; the receipt once bought. None when the
    tenant has no provider connected (the page then says an admin activates)."""
    user = request.user
    if not may_buy_courses(user):
        return None
    status = getattr(enrollment, "status", None)
    if status in ("active", "completed"):
        paid = (
            CoursePayment.objects.filter(
                enrollment=enrollment, learner=user, status__in=SETTLED_STATUSES
            )
            .order_by("-created_at")
            .first()
        )
        if paid is None:
            return None
        return PurchaseOffer("payments/_course_bought.html", {"payment": paid})
    providers = connected_providers()
    if not providers:
        return None
    open_payment = None
    if enrollment is not None and status == "pending":
        open_payment = (
            CoursePayment.objects.filter(
                enrollment=enrollment, learner=user, status=PaymentStatus.PENDING
            )
            .exclude(provider_order_id="")
            .order_by("-created_at")
            .first()
        )
    return PurchaseOffer(
        "payments/_course_offer.html",
        {
            "course": course,
            "price": course.price.display(),
            "tax_note": tax_note(),
            "providers": providers,
            "pending": status == "pending",
            "open_payment": open_payment,
        },
    )
