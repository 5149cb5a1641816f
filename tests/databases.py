"""Reaching the suite's PostgreSQL server from outside Django's connection."""

from __future__ import annotations

from urllib.parse import quote

import psycopg
from django.conf import settings


def database_url(name: str) -> str:
    """A URL for database `name` on the server the suite uses (TCP or a socket directory)."""
    db = settings.DATABASES["default"]
    host = quote(db["HOST"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{quote(db['USER'] or 'postgres')}{password}@{host}{port}/{name}"


def admin_connection() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        host=db["HOST"] or None,
        port=db.get("PORT") or None,
        autocommit=True,
    )
