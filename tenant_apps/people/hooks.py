"""Extension points: apps that show people's names hook in here, so this app never imports
them (courses show their owner's name; courses depend on people, not the other way round).
Handlers register from their AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PersonRenamedHandler = Callable[[], None]


@dataclass(frozen=True)
class PersonSection:
    """A part of the admin's page about a person that another app fills (SSO: the
    identities the person signs in with)."""

    title: str  # translated
    rows: list[tuple[str, str]]  # (label, value), shown as a definition list
    empty_text: str = ""


PersonSections = Callable[[object], list[PersonSection]]
_section_sources: list[PersonSections] = []


def person_sections_register(source: PersonSections) -> PersonSections:
    """Add `source(person)`, whose sections the admin's page about `person` shows."""
    if source not in _section_sources:
        _section_sources.append(source)
    return source


def person_sections_for(person) -> list[PersonSection]:
    return [section for source in list(_section_sources) for section in source(person)]


_renamed_handlers: list[PersonRenamedHandler] = []


def person_renamed_handler_register(handler: PersonRenamedHandler) -> PersonRenamedHandler:
    """Call `handler()` inside the transaction that changes a person's name (in the schema
    of that person's tenant). Registering the same handler twice has no effect."""
    if handler not in _renamed_handlers:
        _renamed_handlers.append(handler)
    return handler


def person_renamed_handlers_run() -> None:
    for handler in list(_renamed_handlers):
        handler()


PersonAnonymisedHandler = Callable[[object], None]
_anonymised_handlers: list[PersonAnonymisedHandler] = []


def person_anonymised_handler_register(
    handler: PersonAnonymisedHandler,
) -> PersonAnonymisedHandler:
    """Call `handler(person)` inside the transaction that anonymises `person`, so an app
    that keeps personal data of its own about people (SCIM's profile, SSO's identities)
    forgets it too. Registering the same handler twice has no effect."""
    if handler not in _anonymised_handlers:
        _anonymised_handlers.append(handler)
    return handler


def person_anonymised_handlers_run(person) -> None:
    for handler in list(_anonymised_handlers):
        handler(person)
