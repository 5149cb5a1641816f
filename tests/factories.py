"""factory_boy factories, built through the real services. People are created in whatever
schema the connection points at."""

from __future__ import annotations

import factory

from tenant_apps.people.models import Role, User
from tenant_apps.people.services import user_create

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    role = Role.LEARNER
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> User:
        return user_create(**kwargs)
