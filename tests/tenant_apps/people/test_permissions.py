"""The permission matrix, cell by cell, as the product defines it."""

from __future__ import annotations

import pytest

from tenant_apps.people.models import Role
from tenant_apps.people.permissions import (
    PERMISSION_MATRIX,
    Capability,
    role_can,
    user_can,
    user_can_edit_course,
    user_can_view_course_analytics,
)

ADM, INS, CRE, LRN = Role.ADMIN, Role.INSTRUCTOR, Role.CONTENT_CREATOR, Role.LEARNER
EXPECTED = {
    Capability.MANAGE_USERS: {ADM},
    Capability.CREATE_COURSES: {ADM, INS, CRE},
    Capability.EDIT_OWN_COURSES: {ADM, INS, CRE},
    Capability.EDIT_ALL_COURSES: {ADM, INS},
    Capability.VIEW_ALL_ANALYTICS: {ADM},
    Capability.VIEW_OWN_ANALYTICS: {ADM, INS, CRE},
    Capability.TAKE_COURSES: {ADM, INS, CRE, LRN},
    Capability.CREATE_ASSESSMENTS: {ADM, INS, CRE},
    Capability.GRADE_ASSESSMENTS: {ADM, INS},
    Capability.VIEW_AUDIT_LOG: {ADM},
    Capability.MANAGE_SSO: {ADM},
    Capability.MANAGE_WEBHOOKS: {ADM},
    Capability.MANAGE_BILLING: {ADM},
    Capability.MANAGE_PAYMENTS: {ADM},
}


def test_matrix_covers_every_capability():
    assert set(PERMISSION_MATRIX) == set(Capability) == set(EXPECTED)


@pytest.mark.parametrize("capability", list(Capability))
@pytest.mark.parametrize("role", list(Role))
def test_each_cell(role, capability):
    assert role_can(role, capability) is (role in EXPECTED[capability])


def test_inactive_or_anonymous_can_do_nothing(make_person):
    admin = make_person(Role.ADMIN)
    admin.is_active = False
    assert not any(user_can(admin, capability) for capability in Capability)
    assert not any(user_can(None, capability) for capability in Capability)


@pytest.mark.parametrize(
    ("role", "own", "others"),
    [(ADM, True, True), (INS, True, True), (CRE, True, False), (LRN, False, False)],
)
def test_editing_courses_own_and_others(make_person, role, own, others):
    person = make_person(role)
    assert user_can_edit_course(person, owner_id=person.pk) is own
    assert user_can_edit_course(person, owner_id=person.pk + 1000) is others


@pytest.mark.parametrize(
    ("role", "own", "others"),
    [(ADM, True, True), (INS, True, False), (CRE, True, False), (LRN, False, False)],
)
def test_analytics_own_and_others(make_person, role, own, others):
    person = make_person(role)
    assert user_can_view_course_analytics(person, owner_id=person.pk) is own
    assert user_can_view_course_analytics(person, owner_id=person.pk + 1000) is others
