"""People of each role in tenant A, shared by the tenant apps' tests. The learner lives in
Berlin, so that times shown to them are not UTC by accident."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.people.models import Role, User


@pytest.fixture
def author(make_person) -> User:
    return make_person(Role.CONTENT_CREATOR, email="carla@example.com", full_name="Carla Creator")


@pytest.fixture
def other_author(make_person) -> User:
    return make_person(Role.CONTENT_CREATOR, email="otto@example.com", full_name="Otto Other")


@pytest.fixture
def instructor(make_person) -> User:
    return make_person(Role.INSTRUCTOR, email="ivan@example.com", full_name="Ivan Instructor")


@pytest.fixture
def admin(make_person) -> User:
    return make_person(Role.ADMIN, email="ada@example.com", full_name="Ada Admin")


@pytest.fixture
def learner(make_person, tenant_a) -> User:
    person = make_person(Role.LEARNER, email="lena@example.com", full_name="Lena Learner")
    with schema_context(tenant_a.schema):
        User.objects.filter(pk=person.pk).update(time_zone="Europe/Berlin")
    person.time_zone = "Europe/Berlin"
    return person


@pytest.fixture
def other_learner(make_person) -> User:
    return make_person(Role.LEARNER, email="leo@example.com", full_name="Leo Learner")
