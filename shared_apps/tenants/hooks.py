"""What the public schema offers the apps that live in tenant schemas: they plug in here,
wired by the composition root (`lectern.apps`), so public-schema code never imports them."""

from __future__ import annotations

from collections.abc import Callable

# Called inside a new tenant's schema, in the provisioning transaction, with the e-mail of
# its first admin: create that person and arrange their invitation. A failure undoes the
# whole provisioning.
FirstAdminCreator = Callable[[str], None]

_first_admin_creator: FirstAdminCreator | None = None


def first_admin_creator_register(creator: FirstAdminCreator) -> None:
    global _first_admin_creator
    _first_admin_creator = creator


def first_admin_create(email: str) -> None:
    if _first_admin_creator is None:
        raise RuntimeError("no app registered to create a tenant's first admin")
    _first_admin_creator(email)
