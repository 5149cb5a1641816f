"""Extension points: apps that show people's names hook in here, so this app never imports
them (courses show their owner's name; courses depend on people, not the other way round).
Handlers register from their AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable

PersonRenamedHandler = Callable[[], None]

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
