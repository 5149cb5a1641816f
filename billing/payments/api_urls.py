from django.urls import path

from billing.payments import api

urlpatterns = [
    path("billing/accounts", api.AccountListApi.as_view(), name="payments-account-list"),
    path(
        "billing/accounts/<str:provider>",
        api.AccountDetailApi.as_view(),
        name="payments-account-detail",
    ),
    path("billing/settings", api.SettingsApi.as_view(), name="payments-settings"),
    path("billing/coupons", api.CouponListApi.as_view(), name="payments-coupon-list"),
    path(
        "billing/coupons/<int:coupon_id>",
        api.CouponDetailApi.as_view(),
        name="payments-coupon-detail",
    ),
    path("billing/payments", api.PaymentListApi.as_view(), name="payments-payment-list"),
    path(
        "billing/payments/<str:payment_id>",
        api.PaymentDetailApi.as_view(),
        name="payments-payment-detail",
    ),
    path(
        "billing/payments/<str:payment_id>/refund",
        api.PaymentRefundApi.as_view(),
        name="payments-payment-refund",
    ),
    path(
        "billing/payments/<str:payment_id>/confirm",
        api.PaymentConfirmApi.as_view(),
        name="payments-payment-confirm",
    ),
    path("billing/checkout", api.CheckoutApi.as_view(), name="payments-checkout"),
    path("billing/revenue", api.RevenueApi.as_view(), name="payments-revenue"),
    path("billing/purchases", api.PurchaseListApi.as_view(), name="payments-purchase-list"),
]
