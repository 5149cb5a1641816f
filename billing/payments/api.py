"""The course payments API under /api/v1/billing/.

Tenant admins: provider accounts (secrets write-only), settings, coupons, payments and
refunds. Learners: start a checkout, confirm it, read a payment's status and their
purchases. The portal pages use the same services and `billing.payments.permissions`."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.payments import selectors
from billing.payments import serializers as bodies
from billing.payments.errors import PaymentErrorCode
from billing.payments.models import PaymentStatus, Provider
from billing.payments.permissions import CanBuyCourses, CanManagePayments
from billing.payments.services import accounts, checkout, coupons, refunds
from core.errors import NotFound
from tenant_apps.courses.models import Course, CourseStatus


def _provider(provider: str) -> str:
    if provider not in Provider.values:
        raise NotFound(PaymentErrorCode.ACCOUNT_NOT_FOUND, _("No such payment provider."))
    return provider


class AccountListApi(APIView):
    permission_classes = [CanManagePayments]

    @extend_schema(responses=bodies.PaymentAccountOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(bodies.PaymentAccountOutput(selectors.payment_accounts(), many=True).data)


class AccountDetailApi(APIView):
    permission_classes = [CanManagePayments]

    @extend_schema(request=bodies.PaymentAccountInput, responses=bodies.PaymentAccountOutput)
    def put(self, request: Request, provider: str) -> Response:
        """Connect or re-key a provider. The secrets are stored encrypted, never returned."""
        body = bodies.PaymentAccountInput(data=request.data)
        body.is_valid(raise_exception=True)
        account = accounts.payment_account_save(
            provider=_provider(provider), actor=request.user, **body.validated_data
        )
        return Response(bodies.PaymentAccountOutput(account).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, provider: str) -> Response:
        accounts.payment_account_remove(provider=_provider(provider), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SettingsApi(APIView):
    permission_classes = [CanManagePayments]

    @extend_schema(responses=bodies.PaymentSettingsBody)
    def get(self, request: Request) -> Response:
        return Response(bodies.PaymentSettingsBody(accounts.payment_settings_get()).data)

    @extend_schema(request=bodies.PaymentSettingsBody, responses=bodies.PaymentSettingsBody)
    def patch(self, request: Request) -> Response:
        body = bodies.PaymentSettingsBody(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        row = accounts.payment_settings_update(actor=request.user, **body.validated_data)
        return Response(bodies.PaymentSettingsBody(row).data)


class CouponListApi(APIView):
    permission_classes = [CanManagePayments]

    @extend_schema(responses=bodies.CouponBody(many=True))
    def get(self, request: Request) -> Response:
        return Response(bodies.CouponBody(selectors.coupons_all(), many=True).data)

    @extend_schema(request=bodies.CouponBody, responses={201: bodies.CouponBody})
    def post(self, request: Request) -> Response:
        body = bodies.CouponBody(data=request.data)
        body.is_valid(raise_exception=True)
        coupon = coupons.coupon_create(actor=request.user, **body.validated_data)
        return Response(bodies.CouponBody(coupon).data, status=status.HTTP_201_CREATED)


class CouponDetailApi(APIView):
    permission_classes = [CanManagePayments]

    @extend_schema(responses=bodies.CouponBody)
    def get(self, request: Request, coupon_id: int) -> Response:
        return Response(bodies.CouponBody(coupons.coupon_get(coupon_id)).data)

    @extend_schema(request=bodies.CouponBody, responses=bodies.CouponBody)
    def patch(self, request: Request, coupon_id: int) -> Response:
        coupon = coupons.coupon_get(coupon_id)
        body = bodies.CouponBody(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = {k: v for k, v in body.validated_data.items() if k in request.data}
        coupon = coupons.coupon_update(coupon=coupon, actor=request.user, **changes)
        return Response(bodies.CouponBody(coupon).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coupon_id: int) -> Response:
        coupons.coupon_delete(coupon=coupons.coupon_get(coupon_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _whole(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 15 else None


class PaymentListApi(APIView):
    permission_classes = [CanManagePayments]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=PaymentStatus.values),
            OpenApiParameter("provider", enum=Provider.values),
            OpenApiParameter("course_id", int),
            OpenApiParameter("learner_id", int),
        ],
        responses=bodies.PaymentOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        """Every payment, newest first (at most 500), narrowed by the filters."""
        query = request.query_params
        payments = selectors.payments_filtered(
            status=query.get("status") if query.get("status") in PaymentStatus.values else None,
            provider=query.get("provider") if query.get("provider") in Provider.values else None,
            course_id=_whole(query.get("course_id")),
            learner_id=_whole(query.get("learner_id")),
        )[:500]
        return Response(bodies.PaymentOutput(payments, many=True).data)


class PaymentDetailApi(APIView):
    """A payment's status: its learner or an admin."""

    permission_classes = [CanBuyCourses]

    @extend_schema(responses=bodies.PaymentOutput)
    def get(self, request: Request, payment_id: str) -> Response:
        payment = selectors.payment_for(request.user, payment_id)
        return Response(bodies.PaymentOutput(payment).data)


class PaymentRefundApi(APIView):
    permission_classes = [CanManagePayments]

    @extend_schema(request=bodies.RefundInput, responses={201: bodies.RefundOutput})
    def post(self, request: Request, payment_id: str) -> Response:
        """Refund in full (no amount) or in part; a full refund cancels the enrollment."""
        payment = selectors.payment_for(request.user, payment_id)
        body = bodies.RefundInput(data=request.data)
        body.is_valid(raise_exception=True)
        refund = refunds.payment_refund(payment=payment, actor=request.user, **body.validated_data)
        return Response(bodies.RefundOutput(refund).data, status=status.HTTP_201_CREATED)


class CheckoutApi(APIView):
    permission_classes = [CanBuyCourses]

    @extend_schema(request=bodies.CheckoutInput, responses={201: bodies.CheckoutOutput})
    def post(self, request: Request) -> Response:
        """Start buying a published course: Stripe answers with `redirect_url`, Razorpay with
        the options for its Checkout (`razorpay`); then confirm. An open attempt is resumed."""
        body = bodies.CheckoutInput(data=request.data)
        body.is_valid(raise_exception=True)
        course = Course.objects.filter(
            pk=body.validated_data["course_id"], status=CourseStatus.PUBLISHED
        ).first()
        if course is None:
            raise NotFound(PaymentErrorCode.PAYMENT_NOT_FOUND, _("No such course."))
        back = f"{request.scheme}://{request.get_host()}/courses/{course.pk}/"
        started = checkout.checkout_start(
            learner=request.user,
            course=course,
            provider=body.validated_data["provider"],
            coupon_code=body.validated_data["coupon_code"],
            success_url=back + "?payment={payment}",
            cancel_url=back + "?payment={payment}&cancelled=1",
        )
        answer = {
            "payment": bodies.PaymentOutput(started.payment).data,
            "activated": started.activated,
            "redirect_url": started.redirect_url,
            "razorpay": started.client_data,
        }
        return Response(answer, status=status.HTTP_201_CREATED)


class PaymentConfirmApi(APIView):
    """After checkout: Stripe — Lectern asks Stripe; Razorpay — send the handler's
    `razorpay_payment_id` and `razorpay_signature` (checked against the order id Lectern
    stored). Answers the payment, paid or still pending."""

    permission_classes = [CanBuyCourses]

    @extend_schema(request=bodies.ConfirmInput, responses=bodies.PaymentOutput)
    def post(self, request: Request, payment_id: str) -> Response:
        payment = selectors.payment_for(request.user, payment_id)
        if payment.learner_id != request.user.pk:
            raise NotFound(PaymentErrorCode.PAYMENT_NOT_FOUND, _("No such payment."))
        body = bodies.ConfirmInput(data=request.data)
        body.is_valid(raise_exception=True)
        if payment.provider == Provider.RAZORPAY:
            payment = checkout.checkout_confirm_razorpay(
                payment=payment,
                razorpay_payment_id=body.validated_data["razorpay_payment_id"],
                signature=body.validated_data["razorpay_signature"],
            )
        else:
            payment = checkout.checkout_confirm_stripe(payment=payment)
        payment = selectors.payment_for(request.user, payment.public_id)
        return Response(bodies.PaymentOutput(payment).data)


class PurchaseListApi(APIView):
    permission_classes = [CanBuyCourses]

    @extend_schema(responses=bodies.PaymentOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            bodies.PaymentOutput(selectors.purchases_of(request.user)[:500], many=True).data
        )


class RevenueApi(APIView):
    """Revenue per currency (minor units; currencies are never added together)."""

    permission_classes = [CanManagePayments]

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="The last N days (1-3660).")],
        responses=bodies.RevenueOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        days = _whole(request.query_params.get("days"))
        since = timezone.now() - timedelta(days=days) if days and days <= 3660 else None
        return Response(
            bodies.RevenueOutput(selectors.revenue_by_currency(since=since), many=True).data
        )
