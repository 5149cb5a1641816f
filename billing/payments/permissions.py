"""Who may do what with course payments: one place for the API and the portal pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from billing.payments.models import CoursePayment
from tenant_apps.people.models import User
from tenant_apps.people.permissions import Capability, user_can


def may_manage_payments(user: User | None) -> bool:
    """Provider keys, payment settings, coupons, every payment, refunds: tenant admins."""
    return user_can(user, Capability.MANAGE_PAYMENTS)


def may_buy_courses(user: User | None) -> bool:
    """Anyone signed in who may take courses may pay for one."""
    return user_can(user, Capability.TAKE_COURSES)


def may_view_payment(user: User | None, payment: CoursePayment) -> bool:
    """The learner who paid, or an admin."""
    return may_manage_payments(user) or (may_buy_courses(user) and payment.learner_id == user.pk)


class CanManagePayments(BasePermission):
    message = gettext_lazy("Your role does not allow this.")

    def has_permission(self, request, view) -> bool:
        return may_manage_payments(request.user)


class CanBuyCourses(BasePermission):
    message = gettext_lazy("Your role does not allow this.")

    def has_permission(self, request, view) -> bool:
        return may_buy_courses(request.user)
