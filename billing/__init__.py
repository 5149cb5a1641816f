"""Billing: money both ways.

* `billing.subscriptions` (public schema): tenants pay the platform — plans and their
  limits, Stripe Billing subscriptions, dunning.
* `billing.payments` (each tenant's schema): learners pay the tenant for courses — the
  tenant's own Stripe and Razorpay accounts, coupons, refunds.

A wing: it stands on the LMS and the public-schema apps and plugs in through their hooks;
nothing below imports it.
"""
