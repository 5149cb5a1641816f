"""The tenant admin's course payment pages (see manage_views.py and
manage_payment_views.py)."""

from django.urls import path

from billing.payments import manage_payment_views, manage_views

urlpatterns = [
    path("manage/payments/", manage_payment_views.payments_home, name="manage-payments"),
    path(
        "manage/payments/providers/",
        manage_views.providers_home,
        name="manage-payment-providers",
    ),
    path(
        "manage/payments/providers/<str:provider>/",
        manage_views.provider_connect,
        name="manage-payment-provider",
    ),
    path(
        "manage/payments/providers/<str:provider>/disconnect/",
        manage_views.provider_disconnect,
        name="manage-payment-provider-disconnect",
    ),
    path("manage/payments/settings/", manage_views.settings_save, name="manage-payment-settings"),
    path("manage/payments/coupons/", manage_views.coupons_home, name="manage-payment-coupons"),
    path(
        "manage/payments/coupons/add/",
        manage_views.coupon_add,
        name="manage-payment-coupon-add",
    ),
    path(
        "manage/payments/coupons/<int:coupon_id>/deactivate/",
        manage_views.coupon_deactivate,
        name="manage-payment-coupon-deactivate",
    ),
    path(
        "manage/payments/<str:payment_id>/",
        manage_payment_views.payment_page,
        name="manage-payment",
    ),
    path(
        "manage/payments/<str:payment_id>/refund/",
        manage_payment_views.payment_refund,
        name="manage-payment-refund",
    ),
]
