"""The learner's pages for buying courses (see views.py)."""

from django.urls import path

from billing.payments import views

urlpatterns = [
    path("courses/<int:course_id>/buy/", views.course_buy, name="payments-buy"),
    path("purchases/", views.purchase_list, name="payments-purchases"),
    path("purchases/<uuid:payment_id>/", views.payment_return, name="payments-return"),
    path(
        "purchases/<uuid:payment_id>/cancelled/",
        views.payment_cancelled,
        name="payments-cancelled",
    ),
    path(
        "purchases/<uuid:payment_id>/razorpay/",
        views.razorpay_callback,
        name="payments-razorpay-callback",
    ),
    path("purchases/<uuid:payment_id>/receipt/", views.payment_receipt, name="payments-receipt"),
]
