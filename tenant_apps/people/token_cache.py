"""Personal API tokens remembered per process, so an integration's calls skip the lookup.

Looking a personal token and its person up (and compiling that query) is the largest part of
a small API request. Each process keeps what it looked up, keyed by tenant and token hash,
and trusts an entry only while

* the tenant's credentials stamp in Redis is the one read before the entry was loaded
  (see core.versions), and
* the entry is less than `MAX_AGE_SECONDS` old, a backstop for changes made where no
  signal fires.

Saving or deleting a person or a token (model signals, connected in `PeopleConfig.ready`) and
revoking tokens in bulk (`credentials_changed`) replace the stamp: at once, so the changing
transaction's own later requests see it, and again after the commit, so no process keeps an
answer read before the change was visible. With Redis unreachable nothing is remembered.

Every request gets its own copies of the remembered token and person, so nothing one request
does to them reaches another. Unknown or revoked tokens are never remembered.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

from django.db import connection, transaction

from core.versions import version_bump, version_read
from tenant_apps.people.models import PersonalAccessToken

MAX_AGE_SECONDS = 60.0
MAX_ENTRIES = 10_000


def _stamp_key(schema: str) -> str:
    return f"lectern:credentials:{schema}:version"


@dataclass(frozen=True)
class _Entry:
    token: PersonalAccessToken  # with its `user` loaded
    stamp: bytes
    loaded_at: float  # time.monotonic()


_entries: dict[tuple[str, str], _Entry] = {}


def credentials_stamp() -> bytes | None:
    """The current tenant's stamp; read it before loading a token to remember."""
    return version_read(_stamp_key(connection.schema_name))


def token_recall(token_hash: str, stamp: bytes | None) -> PersonalAccessToken | None:
    """A copy of the token remembered under `token_hash` (with a copy of its person), if it
    was loaded under `stamp` less than MAX_AGE_SECONDS ago."""
    if stamp is None:
        return None
    entry = _entries.get((connection.schema_name, token_hash))
    if entry is None or entry.stamp != stamp:
        return None
    if time.monotonic() - entry.loaded_at > MAX_AGE_SECONDS:
        return None
    token = copy.copy(entry.token)
    token.user = copy.copy(entry.token.user)
    return token


def token_remember(token_hash: str, stamp: bytes | None, token: PersonalAccessToken) -> None:
    """Remember `token` (loaded after `stamp` was read) for later requests."""
    if stamp is None:
        return
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    remembered = copy.copy(token)
    remembered.user = copy.copy(token.user)
    _entries[(connection.schema_name, token_hash)] = _Entry(
        token=remembered, stamp=stamp, loaded_at=time.monotonic()
    )


def token_touched(token_hash: str, token: PersonalAccessToken) -> None:
    """Keep the remembered token's `last_used_at` as written to the database."""
    entry = _entries.get((connection.schema_name, token_hash))
    if entry is not None:
        entry.token.last_used_at = token.last_used_at


def credentials_changed(**_: object) -> None:
    """People or tokens of the current tenant changed: nothing remembered of them holds.

    Also a receiver for the models' post_save and post_delete signals."""
    key = _stamp_key(connection.schema_name)
    version_bump(key)
    transaction.on_commit(lambda: version_bump(key), robust=True)


def forget_all() -> None:
    """Drop everything this process remembers (tests)."""
    _entries.clear()
