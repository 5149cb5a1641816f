"""The tenant admin's payment pages (`/manage/payments/...`): every payment with filters and
paging, one payment (amounts in the viewer's locale, provider ids, a timeline of provider
events, its refunds; a flagged payment explained), and the refund form with its
confirmation step. Same rule as the API (`may_manage_payments`), same selectors and the
same refund service."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from billing.payments import selectors, selectors_admin
from billing.payments.manage_forms import PaymentFilterForm, RefundForm
from billing.payments.models import CoursePayment
from billing.payments.permissions import may_manage_payments
from billing.payments.services import refunds
from billing.payments.services.refunds import REFUNDABLE
from core.errors import ApplicationError
from core.money import Money
from core.pages import form_errors_show, page_of, page_requires, query_without_page

_FILTERS = ("status", "provider", "course", "learner", "since", "until")


@page_requires(may_manage_payments)
def payments_home(request: HttpRequest) -> HttpResponse:
    """Payments, newest first, filtered by status (flagged too), provider, course, learner
    and the day they were started."""
    filtering = any(request.GET.get(name) for name in _FILTERS)
    form = PaymentFilterForm(
        request.GET if filtering else None,
        courses=selectors_admin.course_choices_with_payments(),
    )
    valid = form.is_bound and form.is_valid()
    filters = form.cleaned_data if valid else {}
    found = selectors_admin.payments_search(
        status=filters.get("status") or None,
        provider=filters.get("provider") or None,
        course_id=filters.get("course"),
        learner_text=filters.get("learner") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    flagged = selectors.payments_filtered(status="flagged").count()
    return render(
        request,
        "payments/manage/payments.html",
        {
            "form": form,
            "page": page_of(request, found),
            "query": query_without_page(request),
            "flagged_count": flagged,
        },
        status=400 if form.is_bound and not valid else 200,
    )


def _may_refund(payment: CoursePayment) -> bool:
    return (
        payment.status in REFUNDABLE
        and bool(payment.provider and payment.provider_payment_id)
        and payment.refundable.amount > 0
    )


@page_requires(may_manage_payments)
def payment_page(request: HttpRequest, payment_id: str) -> HttpResponse:
    payment = selectors.payment_for(request.user, payment_id)
    return render(
        request,
        "payments/manage/payment.html",
        {
            "payment": payment,
            "events": selectors_admin.payment_provider_events(payment),
            "refunds": list(payment.refunds.select_related("created_by")),
            "may_refund": _may_refund(payment),
            "left": payment.refundable,
        },
    )


@page_requires(may_manage_payments)
def payment_refund(request: HttpRequest, payment_id: str) -> HttpResponse:
    """Refund in full or in part. A first POST shows what will happen; a second, with
    `confirmed`, refunds through the provider."""
    payment = selectors.payment_for(request.user, payment_id)
    if not _may_refund(payment):
        flash.error(request, _("This payment cannot be refunded."))
        return redirect("manage-payment", payment_id=payment.public_id)
    form = RefundForm(request.POST or None, payment=payment)
    context = {"payment": payment, "form": form, "left": form.left}
    if request.method != "POST":
        return render(request, "payments/manage/refund.html", context)
    if not form.is_valid():
        return render(request, "payments/manage/refund.html", context, status=400)
    if not request.POST.get("confirmed"):
        return render(
            request,
            "payments/manage/refund_confirm.html",
            {**context, "amount": form.cleaned_data["amount"], "full": form.is_full},
        )
    try:
        refund = refunds.payment_refund(
            payment=payment,
            actor=request.user,
            amount=form.cleaned_data["amount"].amount,
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        form_errors_show(form, error)
        return render(request, "payments/manage/refund.html", context, status=error.status)
    refunded = Money(refund.amount, refund.currency).display()
    flash.success(request, _("Refunded %(amount)s.") % {"amount": refunded})
    return redirect("manage-payment", payment_id=payment.public_id)
