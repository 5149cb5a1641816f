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


# Given a plan code, the reason a new tenant may not be put on it (no such plan, archived),
# or None when it may. Platform billing registers it; without one, any well-formed code is
# accepted.
PlanCodeChecker = Callable[[str], str | None]

_plan_code_checker: PlanCodeChecker | None = None


def plan_code_checker_register(checker: PlanCodeChecker | None) -> None:
    global _plan_code_checker
    _plan_code_checker = checker


def plan_code_problem(plan_code: str) -> str | None:
    return None if _plan_code_checker is None else _plan_code_checker(plan_code)


# Given a suspended tenant, why it is suspended and what its people can do about it, in a
# sentence for the page its hosts answer with, or None. Platform billing registers it (a
# suspension for an overdue payment points admins to the pay link in their e-mail).
SuspensionExplainer = Callable[[object], str | None]

_suspension_explainer: SuspensionExplainer | None = None


def suspension_explainer_register(explainer: SuspensionExplainer | None) -> None:
    global _suspension_explainer
    _suspension_explainer = explainer


def suspension_explained(tenant) -> str | None:
    return None if _suspension_explainer is None else _suspension_explainer(tenant)
