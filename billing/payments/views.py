"""The learner's pages for buying a course: the checkout form, the hand-over to the
provider's hosted page (Stripe: a redirect to the Checkout Session; Razorpay: a form posted
to its hosted checkout), the return and pending pages, Razorpay's callback, receipts and
"My purchases". The same services and permission rules as the API (checkout_start,
checkout_confirm_*; may_buy_courses, payment_for)."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.payments import selectors
from billing.payments.forms import BuyForm
from billing.payments.models import (
    SETTLED_STATUSES,
    CoursePayment,
    PaymentStatus,
    Provider,
    RefundStatus,
)
from billing.payments.offers import connected_providers, prices_include_tax, tax_note
from billing.payments.permissions import may_buy_courses
from billing.payments.services import checkout
from core.errors import ApplicationError
from core.money import Money
from core.pages import page_requires
from tenant_apps.courses.models import Course, CourseStatus

logger = logging.getLogger(__name__)

# How often the pending page asks again, in seconds.
POLL_SECONDS = 3


def _course_for_sale(course_id: int) -> Course:
    """A published course, as the checkout API finds it; 404 otherwise."""
    course = Course.objects.filter(pk=course_id, status=CourseStatus.PUBLISHED).first()
    if course is None:
        raise Http404
    return course


def _own_payment(request: HttpRequest, payment_id) -> CoursePayment:
    """The signed-in learner's own payment; 404 for anyone else's (admins included: their
    pages are under /manage/)."""
    try:
        payment = selectors.payment_for(request.user, payment_id)
    except ApplicationError:
        raise Http404 from None
    if payment.learner_id != request.user.pk:
        raise Http404
    return payment


def _absolute(request: HttpRequest, url_name: str) -> str:
    """An absolute URL with `{payment}` where the payment's id goes (checkout_start fills it)."""
    marker = "00000000-0000-0000-0000-000000000000"
    url = request.build_absolute_uri(reverse(url_name, kwargs={"payment_id": marker}))
    return url.replace(marker, "{payment}")


def _buy_page(request, course, form, *, error: ApplicationError | None = None) -> HttpResponse:
    return render(
        request,
        "payments/buy.html",
        {
            "course": course,
            "price": course.price.display(),
            "tax_note": tax_note(),
            "form": form,
            "error": error,
        },
        status=error.status if error else 200,
    )


@require_http_methods(["GET", "POST"])
@page_requires(may_buy_courses)
def course_buy(request: HttpRequest, course_id: int) -> HttpResponse:
    """`/courses/<id>/buy/`: GET the checkout form; POST it to start paying (or resume the
    open attempt) and go on to the provider's hosted page."""
    course = _course_for_sale(course_id)
    providers = connected_providers()
    if course.is_free or not providers:
        return redirect("course-detail", course_id=course.pk)
    form = BuyForm(request.POST or None, providers=providers)
    if request.method == "GET" or not form.is_valid():
        return _buy_page(request, course, form)
    try:
        started = checkout.checkout_start(
            learner=request.user,
            course=course,
            provider=form.cleaned_data["provider"],
            coupon_code=form.cleaned_data["coupon_code"],
            success_url=_absolute(request, "payments-return"),
            cancel_url=_absolute(request, "payments-cancelled"),
        )
    except ApplicationError as exc:
        for detail in exc.details:
            if detail.field in form.fields:
                form.add_error(detail.field, detail.message)
        return _buy_page(request, course, form, error=exc)
    if started.activated:
        messages.success(
            request,
            _("Your coupon covers the whole price: you are enrolled in %(title)s.")
            % {"title": course.title},
        )
        return redirect("course-detail", course_id=course.pk)
    if started.payment.provider == Provider.STRIPE:
        return _stripe_handover(request, started.payment, started.redirect_url)
    return _razorpay_handover(request, started.payment, started.client_data)


def _stripe_handover(request: HttpRequest, payment: CoursePayment, url: str) -> HttpResponse:
    """A page that goes on to Stripe's Checkout by a meta refresh, with a link as well. Not
    a redirect: a browser checks a form's redirects against the page's CSP `form-action`
    ('self'), and the Buy form's page cannot know Checkout's address beforehand."""
    return render(
        request,
        "payments/stripe_checkout.html",
        {"payment": payment, "amount_display": payment.money.display(), "checkout_url": url},
    )


def _razorpay_handover(request: HttpRequest, payment: CoursePayment, data: dict) -> HttpResponse:
    """A page whose one button posts the order to Razorpay's hosted checkout (a plain
    form: no script, nothing for the Content Security Policy to refuse)."""
    public_id = str(payment.public_id)
    action = settings.PAYMENTS_RAZORPAY_API_BASE.rstrip("/") + "/v1/checkout/embedded"
    response = render(
        request,
        "payments/razorpay_checkout.html",
        {
            "payment": payment,
            "amount_display": payment.money.display(),
            "action": action,
            "data": data,
            "tenant_name": request.tenant.name,
            "callback_url": request.build_absolute_uri(
                reverse("payments-razorpay-callback", kwargs={"payment_id": public_id})
            ),
            "cancel_url": request.build_absolute_uri(
                reverse("payments-cancelled", kwargs={"payment_id": public_id})
            ),
        },
    )
    # This page's form posts to Razorpay: its origin joins the CSP's form-action.
    target = urlsplit(action)
    response._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}
    return response


@require_GET
@page_requires(may_buy_courses)
def payment_return(request: HttpRequest, payment_id: str) -> HttpResponse:
    """`/purchases/<id>/`: where the provider sends the learner back, and the pending
    page. Stripe's session is asked for its state (never the browser); paid → the course;
    still pending → "we're confirming", asked again by HTMX every few seconds."""
    payment = _own_payment(request, payment_id)
    if payment.status == PaymentStatus.PENDING and payment.provider == Provider.STRIPE:
        payment = checkout.checkout_confirm_stripe(payment=payment)
    if payment.status in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
        messages.success(
            request,
            _("Thank you: your payment was received and %(title)s is open.")
            % {"title": payment.course.title},
        )
        target = reverse("course-detail", kwargs={"course_id": payment.course_id})
        if getattr(request, "htmx", None):
            response = HttpResponse("")
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    template = "payments/pending.html"
    if getattr(request, "htmx", None):
        template = "payments/_pending_status.html"
    return render(
        request,
        template,
        {
            "payment": payment,
            "amount_display": payment.money.display(),
            "poll_seconds": POLL_SECONDS,
        },
    )


@require_GET
@page_requires(may_buy_courses)
def payment_cancelled(request: HttpRequest, payment_id: str) -> HttpResponse:
    """The provider's "back" or cancel: nothing was charged; back to the course. The
    attempt stays open (Buy resumes it) until it expires."""
    payment = _own_payment(request, payment_id)
    if payment.status == PaymentStatus.PENDING:
        messages.info(
            request,
            _("You left the checkout: nothing was charged. Buy the course when you like."),
        )
    return redirect("course-detail", course_id=payment.course_id)


@csrf_exempt
@require_POST
def razorpay_callback(request: HttpRequest, payment_id: str) -> HttpResponse:
    """Razorpay's hosted checkout posts here from its own site (so the browser sends no
    session cookie and no CSRF token): `razorpay_payment_id`, `razorpay_order_id` and
    `razorpay_signature`. The signature, checked against the order id WE stored for the
    payment, is the only credential; an order id in the form that is not ours is refused.
    Then on to the pending page, which the learner's own session opens."""
    payment = CoursePayment.objects.filter(public_id=_uuid_or_none(payment_id)).first()
    if payment is None or payment.provider != Provider.RAZORPAY:
        raise Http404
    if "error[code]" in request.POST or "error[description]" in request.POST:
        return _problem(request, payment, _("Razorpay did not take the payment."), status=200)
    if request.POST.get("razorpay_order_id", "") != payment.provider_order_id:
        logger.warning("razorpay callback for payment %s names another order", payment.public_id)
        return _problem(request, payment, _("The payment could not be verified."), status=400)
    try:
        checkout.checkout_confirm_razorpay(
            payment=payment,
            razorpay_payment_id=request.POST.get("razorpay_payment_id", ""),
            signature=request.POST.get("razorpay_signature", ""),
        )
    except ApplicationError as exc:
        logger.warning("razorpay callback refused for payment %s: %s", payment.public_id, exc)
        return _problem(request, payment, exc.message, status=exc.status)
    # Not a redirect: after a cross-site POST the browser would follow it without the
    # learner's (SameSite=Lax) session cookie. A page of ours moves on, same-site, instead.
    return render(
        request,
        "payments/razorpay_returned.html",
        {"status_url": reverse("payments-return", kwargs={"payment_id": str(payment.public_id)})},
    )


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _problem(request: HttpRequest, payment: CoursePayment, reason: str, *, status: int):
    return render(
        request,
        "payments/checkout_problem.html",
        {"payment": payment, "reason": reason},
        status=status,
    )


@require_GET
@page_requires(may_buy_courses)
def payment_receipt(request: HttpRequest, payment_id: str) -> HttpResponse:
    """`/purchases/<id>/receipt/`: the receipt of a paid payment (printable); an attempt
    still open goes to the pending page."""
    payment = _own_payment(request, payment_id)
    if payment.status not in SETTLED_STATUSES:
        if payment.status == PaymentStatus.PENDING:
            return redirect("payments-return", payment_id=str(payment.public_id))
        raise Http404
    refunds = [r for r in payment.refunds.all() if r.status == RefundStatus.SUCCEEDED]
    return render(
        request,
        "payments/receipt.html",
        {
            "payment": payment,
            "list_price": Money(payment.list_amount, payment.currency).display(),
            "discount": Money(payment.discount_amount, payment.currency).display()
            if payment.discount_amount
            else "",
            "amount_display": payment.money.display(),
            "refunded": Money(payment.refunded_amount, payment.currency).display()
            if payment.refunded_amount
            else "",
            "refunds": [(r, Money(r.amount, r.currency).display()) for r in refunds],
            "tax_note": tax_note(),
            "prices_include_tax": prices_include_tax(),
        },
    )


@require_GET
@page_requires(may_buy_courses)
def purchase_list(request: HttpRequest) -> HttpResponse:
    """`/purchases/`: the learner's purchases, newest first, refunds shown."""
    rows = [
        {
            "payment": payment,
            "amount": payment.money.display(),
            "refunded": Money(payment.refunded_amount, payment.currency).display()
            if payment.refunded_amount
            else "",
        }
        for payment in selectors.purchases_of(request.user)[:200]
    ]
    return render(request, "payments/purchases.html", {"rows": rows})
