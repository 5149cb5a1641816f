"""The floor for `benchmarks/api.py`: the course catalogue as a bare WSGI app.

`GET /api/v1/courses[?page=N]` returns what `tenant_apps.courses.api.CourseListApi` returns
to a learner (published courses, 20 a page, ordered by title then id), byte for byte the
same JSON once parsed, `next`/`previous` links included, built the way DRF builds them from
the request's scheme, Host header, path and query. It runs the SQL that endpoint runs (the
count, then the page with its categories, owners, lesson counts and tag names; `api.py`
checks that it is the same SQL) and nothing else: no routing, no authentication, no
throttling, no framework.

One psycopg connection per worker process, opened on the first request, in autocommit,
its search_path set once to the tenant's schema (then public), as django-tenants sets it.
It binds parameters on the client (`ClientCursor`), as Django does, so the server receives
the same statements as from the real stack.

Configuration comes from the environment: `RAW_DATABASE_URL`, `RAW_SCHEMA`, and
`RAW_MEDIA_URL` (default `/media/`).

    RAW_DATABASE_URL=postgres://... RAW_SCHEMA=t_bench gunicorn raw_catalogue:application
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from core.money import Money

PAGE_SIZE = 20
PUBLISHED = "published"

COUNT_SQL = (
    'SELECT COUNT(*) AS "__count" FROM "courses_course" WHERE "courses_course"."status" = %s'
)
# The column order is what `_course` reads by position.
PAGE_SQL = (
    'SELECT "courses_course"."id", "courses_course"."title", "courses_course"."slug", '
    '"courses_course"."description", "courses_course"."thumbnail", '
    '"courses_course"."category_id", "courses_course"."difficulty", '
    '"courses_course"."language", "courses_course"."estimated_minutes", '
    '"courses_course"."price_amount", "courses_course"."currency", "courses_course"."status", '
    '"courses_course"."certificate_enabled", "courses_course"."passing_score", '
    '"courses_course"."owner_id", "courses_course"."published_at", '
    '"courses_course"."archived_at", "courses_course"."created_at", '
    '"courses_course"."updated_at", (SELECT COUNT(*) FROM "courses_lesson" '
    'WHERE "courses_lesson".course_id = "courses_course"."id") AS "lesson_count", '
    '(ARRAY(SELECT "courses_tag".name FROM "courses_tag" JOIN "courses_course_tags" '
    'ON "courses_course_tags".tag_id = "courses_tag".id '
    'WHERE "courses_course_tags".course_id = "courses_course"."id" ORDER BY 1)) AS "tag_names", '
    '(SELECT name FROM "courses_category" '
    'WHERE id = "courses_course"."category_id") AS "category_name", '
    '(SELECT slug FROM "courses_category" '
    'WHERE id = "courses_course"."category_id") AS "category_slug", '
    '(SELECT full_name FROM "people_user" '
    'WHERE id = "courses_course"."owner_id") AS "owner_name" '
    'FROM "courses_course" WHERE "courses_course"."status" = %s '
    'ORDER BY "courses_course"."title" ASC, "courses_course"."id" ASC LIMIT {limit}'
)


def count_query() -> tuple[str, tuple]:
    return COUNT_SQL, (PUBLISHED,)


def page_query(page: int) -> tuple[str, tuple]:
    offset = (page - 1) * PAGE_SIZE
    limit = f"{PAGE_SIZE} OFFSET {offset}" if offset else str(PAGE_SIZE)
    return PAGE_SQL.format(limit=limit), (PUBLISHED,)


def catalogue_queries(page: int, course_ids: list[int]) -> list[tuple[str, tuple]]:
    """What the endpoint runs for `page` (whose courses are `course_ids`), in order."""
    return [count_query(), page_query(page)]


# ------------------------------------------------------------------------------------------
_connection: psycopg.Connection | None = None


def _cursor() -> psycopg.ClientCursor:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(
            os.environ["RAW_DATABASE_URL"],
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,
            options="-c TimeZone=UTC",
        )
        _connection.execute(
            sql.SQL("SET search_path = {}, public").format(sql.Identifier(os.environ["RAW_SCHEMA"]))
        )
    return _connection.cursor()


MEDIA_URL = os.environ.get("RAW_MEDIA_URL", "/media/")


def _moment(value: datetime | None) -> str | None:
    # DRF: the current time zone (UTC), ISO 8601, "+00:00" written as "Z".
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _course(row: tuple) -> dict:
    price = row[9]
    return {
        "id": row[0],
        "title": row[1],
        "slug": row[2],
        "description": row[3],
        # TenantMediaStorage: MEDIA_URL/<schema>/<name> (no benchmark course has one).
        "thumbnail_url": f"{MEDIA_URL}{os.environ['RAW_SCHEMA']}/{quote(row[4])}"
        if row[4]
        else None,
        "category": {"id": row[5], "name": row[21], "slug": row[22]}
        if row[5] is not None
        else None,
        "tags": row[20],
        "difficulty": row[6],
        "language": row[7],
        "estimated_minutes": row[8],
        "price_amount": price,
        "currency": row[10],
        "price_display": Money(price, row[10]).display("en"),
        "is_free": price == 0,
        "status": row[11],
        "certificate_enabled": row[12],
        "passing_score": row[13],
        "owner": {"id": row[14], "full_name": row[23]},
        "lesson_count": row[19],
        "published_at": _moment(row[15]),
        "archived_at": _moment(row[16]),
        "created_at": _moment(row[17]),
        "updated_at": _moment(row[18]),
    }


def _link(url: str, page: int | None) -> str:
    # DRF's replace_query_param / remove_query_param.
    scheme, netloc, path, query, _fragment = urlsplit(url)
    params = parse_qs(query, keep_blank_values=True)
    if page is None:
        params.pop("page", None)
    else:
        params["page"] = [str(page)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(params.items()), doseq=True), ""))


def _respond(start_response, status: str, body: bytes) -> list[bytes]:
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


NOT_FOUND = b'{"error":{"code":"not_found","message":"Invalid page.","details":[]}}'


def application(environ, start_response):
    if environ.get("PATH_INFO") != "/api/v1/courses":
        return _respond(start_response, "404 Not Found", b"{}")
    query = environ.get("QUERY_STRING", "")
    raw_page = parse_qs(query).get("page", ["1"])[-1] if query else "1"
    try:
        page = int(raw_page)
    except ValueError:
        return _respond(start_response, "404 Not Found", NOT_FOUND)

    cursor = _cursor()
    cursor.execute(*count_query())
    count = cursor.fetchone()[0]
    pages = max(1, -(-count // PAGE_SIZE))
    if not 1 <= page <= pages:
        return _respond(start_response, "404 Not Found", NOT_FOUND)
    rows = cursor.execute(*page_query(page)).fetchall() if count else []

    url = f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}{environ['PATH_INFO']}"
    if query:
        url += "?" + query
    body = {
        "count": count,
        "next": _link(url, page + 1) if page < pages else None,
        "previous": (_link(url, page - 1 if page > 2 else None) if page > 1 else None),
        "results": [_course(row) for row in rows],
    }
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return _respond(start_response, "200 OK", data)
