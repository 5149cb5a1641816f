"""The portal's navigation, which each app extends by registering entries.

An app (or a wing: SSO, people sync, webhooks, billing) adds its pages to an area of the
navigation in its `AppConfig.ready()`; the header and the admin side menu list what the
signed-in person may open. Nothing here knows an app by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.urls import reverse


class Area(StrEnum):
    LEARN = "learn"  # the header, for everyone signed in
    TEACH = "teach"  # the header, for authors
    ADMIN = "admin"  # the admin section's side menu
    ACCOUNT = "account"  # the header's right-hand side: notifications, profile


@dataclass(frozen=True)
class NavEntry:
    area: Area
    label: str  # a lazily translated string
    url_name: str
    allowed: Callable[[object], bool]
    order: int = 100
    # Other URL-name prefixes that mark this entry as the current one.
    also_current: tuple[str, ...] = ()
    # A number shown beside the label (unread notifications); 0 shows nothing.
    badge: Callable[[object], int] | None = None


_entries: list[NavEntry] = []


def nav_entry_register(entry: NavEntry) -> None:
    if any(known.url_name == entry.url_name for known in _entries):
        return
    _entries.append(entry)
    _entries.sort(key=lambda known: (known.area, known.order, str(known.label)))


def nav_for(user, area: Area, current_url_name: str | None = None) -> list[dict]:
    items = []
    for entry in _entries:
        if entry.area != area or not entry.allowed(user):
            continue
        names = (entry.url_name, *entry.also_current)
        items.append(
            {
                "label": entry.label,
                "url": reverse(entry.url_name),
                "current": bool(current_url_name)
                and any(current_url_name.startswith(name) for name in names),
                "badge": entry.badge(user) if entry.badge else 0,
            }
        )
    return items


@dataclass(frozen=True)
class Banner:
    """A notice at the top of the admin section (a certificate about to expire, say)."""

    text: str  # translated
    link_url: str = ""
    link_label: str = ""
    level: str = "warning"  # "warning" or "info"


# A source of banners gives those for this request's person (none when they may not act).
BannerSource = Callable[[object], list[Banner]]
_banner_sources: list[BannerSource] = []


def admin_banner_register(source: BannerSource) -> BannerSource:
    """Add `source(request)`, whose banners every admin page shows. Registering the same
    source twice has no effect."""
    if source not in _banner_sources:
        _banner_sources.append(source)
    return source


def admin_banners_for(request) -> list[Banner]:
    return [banner for source in list(_banner_sources) for banner in source(request)]


class _LazyBanners:
    """Computed only when a template shows them (the admin layout), once per request."""

    def __init__(self, request) -> None:
        self._request = request
        self._banners: list[Banner] | None = None

    def __iter__(self):
        if self._banners is None:
            self._banners = admin_banners_for(self._request)
        return iter(self._banners)


def portal_navigation(request) -> dict:
    """Context processor: the header's and the admin menu's entries for this person."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "tenant", None) is None:
        return {}
    if request.tenant.schema_name == "public":
        return {}
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else None
    admin = nav_for(user, Area.ADMIN, current)
    return {
        "nav_learn": nav_for(user, Area.LEARN, current),
        "nav_teach": nav_for(user, Area.TEACH, current),
        "nav_admin": admin,
        "nav_admin_current": any(item["current"] for item in admin),
        "nav_account": nav_for(user, Area.ACCOUNT, current),
        "admin_banners": _LazyBanners(request),
    }
