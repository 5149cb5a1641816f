"""What the operator console offers the wings that plug into it (billing): entries in its
navigation and sections on a tenant's page. Registered from the wing's AppConfig.ready();
nothing here knows a wing by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class ConsoleLink:
    label: str  # lazily translated
    url_name: str
    order: int = 100


# A section of a tenant's page: its HTML, rendered for this request (escaped by its own
# template), or "" for none.
TenantSection = Callable[[HttpRequest, object], str]

_links: list[ConsoleLink] = []
_sections: list[TenantSection] = []


def console_link_register(link: ConsoleLink) -> None:
    if all(known.url_name != link.url_name for known in _links):
        _links.append(link)
        _links.sort(key=lambda known: (known.order, known.url_name))


def console_links() -> list[ConsoleLink]:
    return list(_links)


def tenant_section_register(section: TenantSection) -> None:
    if section not in _sections:
        _sections.append(section)


def tenant_sections_for(request: HttpRequest, tenant) -> list[str]:
    return [html for section in list(_sections) if (html := section(request, tenant))]
