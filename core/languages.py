"""Which of the portal's languages a person's locale means, and speaking it for a while.

Pages switch language in `tenant_apps.people.middleware`; what is written for a person
outside their own request (e-mails, in-app notifications) uses `in_language_of` or
`as_read_by`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import tzinfo

from django.conf import settings
from django.utils import timezone, translation


def language_offered(locale: str) -> str | None:
    """The language of `settings.LANGUAGES` that `locale` (`pt-BR`, `de`) names, if any:
    the locale itself, else its base language."""
    offered = {code for code, _name in settings.LANGUAGES}
    for candidate in (locale, locale.split("-")[0]):
        if candidate in offered:
            return candidate
    return None


def in_language_of(locale: str) -> AbstractContextManager[None]:
    """Translate in the person's language (their `locale` when the portal offers it, else
    the portal's default) inside the `with` block."""
    return translation.override(language_offered(locale or "") or settings.LANGUAGE_CODE)


@contextmanager
def as_read_by(*, locale: str, zone: tzinfo | None = None) -> Iterator[None]:
    """Write for one person: their language (`in_language_of`) and, when given, their time
    zone for dates and times inside the `with` block."""
    with in_language_of(locale):
        if zone is None:
            yield
            return
        with timezone.override(zone):
            yield
