"""Catalogue pages kept in each web process, valid while the tenant's catalogue version is
unchanged.

The catalogue is the busiest read of a learning platform and changes rarely. A page that
looks the same for everyone who sees only published courses (see
`selectors.catalogue_is_shared`) is kept, rendered, under the tenant's schema, its
catalogue version, and everything else the body depends on: the host and scheme (the
`next`/`previous` links), the active time zone (the times) and the query string. Every
change that can alter a catalogue page puts a new random version in Redis once it commits
(`catalogue_changed`), so the very next request in any process reads fresh rows. When
Redis cannot be read, nothing is kept or served from here.

Routing, authentication, permissions and throttling run before this, on every request.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from core.lru import LeastRecentlyUsed
from core.versions import version_bump, version_read

PAGES_KEPT = 512  # per process: a page is a few kB, so a few MB at most


def _version_key(schema_name: str) -> str:
    return f"lectern:catalogue:{schema_name}:version"


def catalogue_changed() -> None:
    """Once the current transaction commits, make this tenant's kept catalogue pages out of
    date in every process."""
    key = _version_key(connection.schema_name)
    transaction.on_commit(lambda: version_bump(key), robust=True)


# Page key → rendered body.
catalogue_pages: LeastRecentlyUsed[tuple, bytes] = LeastRecentlyUsed(PAGES_KEPT)


def page_key(request: HttpRequest) -> tuple | None:
    """What a shared catalogue page's body depends on; None when the tenant's catalogue
    version cannot be read (Redis down): then the page is built afresh and not kept."""
    schema_name = connection.schema_name
    version = version_read(_version_key(schema_name))
    if version is None:
        return None
    return (
        schema_name,
        version,
        request.scheme,
        request.get_host(),
        timezone.get_current_timezone_name(),
        # price_display is formatted for the request's language.
        translation.get_language(),
        request.META.get("QUERY_STRING", ""),
    )
