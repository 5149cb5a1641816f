"""Benchmark: the portal's main pages through the real stack, on a large tenant.

The question (issue 8): with a tenant of 10,000 courses, 5,000 people and 100,000
enrollments, how long does the server take for the learner home, the catalogue, a course
page, the course player, the admin dashboard and the operator's tenant list, and how many
bytes does a first visit of the catalogue transfer (HTML, CSS and JS, compressed)?
Goals: **p95 <= 100 ms per page** and **<= 150 KB** first-visit weight.

On a fresh database of its own (see `_common.py`; Redis database 15 unless
`BENCH_REDIS_URL` says otherwise, flushed at start and end) the public schema and template
are migrated, `--tenants` tenants are provisioned with `tenant_create` (the operator's list
has something to page through) and in the first one, in bulk (not timed): `--courses`
published courses (one section and lesson each, plus one course of 5 sections x 6 lessons
that the course page and player are measured on), `--people` people and `--enrollments`
enrollments spread over them (statuses mixed, a share with due dates and lesson progress).
The database is then vacuumed and analysed, as autovacuum leaves it in steady state.

One server is started: `gunicorn` (`--workers` sync workers) running `lectern.wsgi` with
the production settings (`DEBUG` off, static files collected and hashed, JSON logs at
WARNING). Sessions for a learner (enrolled in 20 courses, part-way through the big one), a
tenant admin and an operator are made in their schemas as a sign-in makes them; requests
carry the session cookie and the tenant's (or public) Host header, so routing, sessions,
authentication, the CSP and every middleware run as for a person.

Each page is fetched `--warmup` times, then `--requests` times one after another; every
answer must be 200 with the page's landmark (`<main id="main"`). Reported per page: p50 and
p95 of the time from sending the request to reading the whole answer (loopback: the
server's time), plus the SQL queries of one request (counted in-process with the test
client, for the record). First-visit weight: the catalogue's HTML and each stylesheet and
script it links, fetched with `Accept-Encoding: br, gzip` — static files come compressed
from WhiteNoise; the HTML is counted gzip-compressed at level 6, as the front proxy that
compresses HTML in a deployment sends it (Lectern does not compress HTML itself).

Progress goes to stderr; the last line on stdout is the result as JSON. The server is
stopped and the database dropped at the end unless `--keep`.

    .venv/bin/python benchmarks/pages.py
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import os
import random
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    REPO_ROOT,
    bench_database,
    collected_static,
    emit_result,
    log,
    ms,
    percentile,
    redis_url,
)

SLUG = "pages"
GOAL_P95_MS = 100.0
GOAL_FIRST_VISIT_BYTES = 150 * 1024
WORDS = (
    "Safety",
    "Leadership",
    "Python",
    "Finance",
    "Negotiation",
    "Design",
    "Data",
    "Privacy",
    "Sales",
    "Coaching",
    "Writing",
    "Ethics",
    "Cloud",
    "Security",
    "Onboarding",
    "Compliance",
)


@dataclass
class World:
    host: str
    public_host: str
    course_id: int
    lesson_id: int
    sessions: dict[str, str] = field(default_factory=dict)  # persona -> session cookie
    counts: dict[str, int] = field(default_factory=dict)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--enrollments", type=int, default=100_000)
    parser.add_argument("--tenants", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


# ------------------------------------------------------------------------------------------
# Data (bulk, not timed)
def provision(args: argparse.Namespace) -> World:
    from _common import create_tenants
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from shared_apps.tenants.models import Domain
    from shared_apps.tenants.services import tenant_create
    from tenant_apps.courses.models import (
        Category,
        Course,
        CourseStatus,
        Difficulty,
        Lesson,
        LessonKind,
        Section,
    )
    from tenant_apps.enrollments.models import Enrollment, EnrollmentSource, EnrollmentStatus
    from tenant_apps.people.models import Role, User
    from tenant_apps.progress.models import LessonProgress

    tenant = tenant_create(
        slug=SLUG,
        name="Pages benchmark",
        admin_email=f"admin@{SLUG}.example.com",
        plan_code="enterprise",  # as many courses and people as measured: no plan limits
    ).tenant
    create_tenants(args.tenants - 1, prefix="other")
    host = Domain.objects.get(tenant=tenant, is_primary=True).domain
    rng = random.Random(20261129)
    now = datetime.now(UTC)
    password = make_password(secrets.token_urlsafe(16))
    with schema_context(tenant.schema_name), transaction.atomic():
        owner = User.objects.create(
            email="ines@example.com", full_name="Ines Instructor", role=Role.INSTRUCTOR
        )
        categories = Category.objects.bulk_create(
            Category(name=name, slug=name.lower()) for name in WORDS[:8]
        )
        courses = Course.objects.bulk_create(
            (
                Course(
                    title=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {index}",
                    slug=f"course-{index:05d}",
                    description="Lessons, exercises and a quiz. " * rng.randint(1, 4),
                    category=rng.choice(categories),
                    difficulty=rng.choice(Difficulty.values),
                    language=rng.choice(("en", "en", "de", "fr")),
                    estimated_minutes=rng.randrange(15, 600, 15),
                    price_amount=rng.choice((0, 0, 0, 4900)),
                    status=CourseStatus.PUBLISHED,
                    owner=owner,
                    published_at=now - timedelta(minutes=index),
                )
                for index in range(args.courses)
            ),
            batch_size=2000,
        )
        big = courses[0]
        sections = Section.objects.bulk_create(
            (Section(course=course, title="Introduction", position=1) for course in courses[1:]),
            batch_size=2000,
        )
        big_sections = Section.objects.bulk_create(
            Section(course=big, title=f"Part {number}", position=number) for number in range(1, 6)
        )
        lessons = Lesson.objects.bulk_create(
            (
                Lesson(
                    section=section,
                    course_id=section.course_id,
                    title="Welcome",
                    kind=LessonKind.TEXT,
                    position=1,
                    body_markdown="Hello.",
                    body_html="<p>Hello.</p>",
                )
                for section in sections
            ),
            batch_size=2000,
        )
        big_lessons = Lesson.objects.bulk_create(
            Lesson(
                section=section,
                course=big,
                title=f"Lesson {section.position}.{number}",
                kind=LessonKind.TEXT,
                position=number,
                body_markdown="A paragraph of the lesson. " * 40,
                body_html="<p>" + "A paragraph of the lesson. " * 40 + "</p>",
            )
            for section in big_sections
            for number in range(1, 7)
        )
        first_lesson_of = {lesson.course_id: lesson for lesson in lessons}
        first_lesson_of[big.pk] = big_lessons[0]

        people = User.objects.bulk_create(
            (
                User(
                    email=f"person{index:05d}@example.com",
                    full_name=f"Person {index:05d}",
                    role=Role.LEARNER,
                    password=password,
                )
                for index in range(args.people)
            ),
            batch_size=2000,
        )
        learner = people[0]
        admin = User.objects.get(email=f"admin@{SLUG}.example.com")

        per_person = max(1, args.enrollments // len(people))
        statuses = [EnrollmentStatus.ACTIVE] * 6 + [EnrollmentStatus.COMPLETED] * 3
        statuses += [EnrollmentStatus.CANCELLED]
        rows = []
        for person in people:
            chosen = rng.sample(courses[1:], per_person - 1)
            chosen.append(big if person is learner else rng.choice(courses[1:]))
            seen = set()
            for course in chosen:
                if course.pk in seen:
                    continue
                seen.add(course.pk)
                status = EnrollmentStatus.ACTIVE if course is big else rng.choice(statuses)
                created = now - timedelta(days=rng.randint(1, 400))
                rows.append(
                    Enrollment(
                        user=person,
                        course=course,
                        status=status,
                        source=EnrollmentSource.SELF,
                        due_at=created + timedelta(days=60) if rng.random() < 0.2 else None,
                        created_at=created,
                        activated_at=created,
                        completed_at=created + timedelta(days=9)
                        if status == EnrollmentStatus.COMPLETED
                        else None,
                        cancelled_at=created + timedelta(days=2)
                        if status == EnrollmentStatus.CANCELLED
                        else None,
                        updated_at=created,
                    )
                )
        enrollments = Enrollment.objects.bulk_create(rows, batch_size=5000)
        LessonProgress.objects.bulk_create(
            (
                LessonProgress(
                    enrollment=enrollment,
                    lesson=first_lesson_of[enrollment.course_id],
                    completed_at=enrollment.created_at + timedelta(hours=1),
                    time_spent_seconds=300,
                    first_touched_at=enrollment.created_at,
                    last_touched_at=enrollment.created_at + timedelta(hours=1),
                )
                for enrollment in enrollments
                if enrollment.status != EnrollmentStatus.CANCELLED
                and rng.random() < 0.5
                and enrollment.course_id != big.pk
            ),
            batch_size=5000,
        )
        mine = next(e for e in enrollments if e.user_id == learner.pk and e.course_id == big.pk)
        LessonProgress.objects.bulk_create(
            LessonProgress(
                enrollment=mine,
                lesson=lesson,
                completed_at=now - timedelta(hours=8 - index),
                time_spent_seconds=240,
                last_touched_at=now - timedelta(hours=8 - index),
            )
            for index, lesson in enumerate(big_lessons[:7])
        )
        counts = {
            "courses": Course.objects.count(),
            "people": User.objects.count(),
            "enrollments": Enrollment.objects.count(),
        }
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(f"tenant {SLUG}: {counts}")
    world = World(
        host=host,
        public_host=os.environ.get("BASE_DOMAIN", "localhost"),
        course_id=big.pk,
        lesson_id=big_lessons[7].pk,
        counts=counts,
    )
    world.sessions = sessions_for(tenant.schema_name, learner.pk, admin.pk)
    return world


def sessions_for(schema: str, learner_id: int, admin_id: int) -> dict[str, str]:
    """Session cookies as signing in makes them: learner and admin in the tenant's schema,
    an operator in the public schema."""
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    from tenant_apps.people.models import User

    def session_of(schema_name: str, user) -> str:
        with schema_context(schema_name):
            client = Client()
            client.force_login(user)
            return client.cookies[settings.SESSION_COOKIE_NAME].value

    with schema_context(schema):
        learner, admin = User.objects.get(pk=learner_id), User.objects.get(pk=admin_id)
    with schema_context("public"):
        operator = User.objects.create(
            email="ops@example.com", full_name="Olga Operator", is_staff=True, role="admin"
        )
    return {
        "learner": session_of(schema, learner),
        "admin": session_of(schema, admin),
        "operator": session_of("public", operator),
    }


# ------------------------------------------------------------------------------------------
# The server
def fetch(port: int, host: str, path: str, cookie: str = "", encoding: str = "") -> tuple:
    headers = {"Host": host, "X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    if encoding:
        headers["Accept-Encoding"] = encoding
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


@contextlib.contextmanager
def server(database_url: str, workers: int) -> Iterator[int]:
    """gunicorn (the test suite's live server) under the production settings, with the
    static files collected; yields its port."""
    from tests.live import live_server

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lectern.settings.production",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url(),
        "CELERY_BROKER_URL": redis_url(),
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "platform"), str(REPO_ROOT)]),
    }
    with (
        collected_static(env) as env,
        tempfile.TemporaryDirectory(prefix="lectern-bench-pages-") as logs,
        live_server(env, Path(logs) / "server.log", workers=workers) as base_url,
    ):
        log(f"server: gunicorn, {workers} sync workers, {base_url}")
        yield int(base_url.rsplit(":", 1)[1])


# ------------------------------------------------------------------------------------------
# Measuring
def pages(world: World) -> dict[str, tuple[str, str, str]]:
    """name -> (persona, host, path)."""
    course, lesson = world.course_id, world.lesson_id
    return {
        "learner_home": ("learner", world.host, "/"),
        "catalogue": ("learner", world.host, "/courses/"),
        "course_page": ("learner", world.host, f"/courses/{course}/"),
        "course_player": ("learner", world.host, f"/courses/{course}/lessons/{lesson}/"),
        "admin_dashboard": ("admin", world.host, "/manage/"),
        "operator_tenants": ("operator", world.public_host, OPERATOR_TENANTS_PATH),
    }


OPERATOR_TENANTS_PATH = "/tenants/"


def time_page(port: int, world: World, persona: str, host: str, path: str, args) -> dict:
    cookie = world.sessions[persona]
    for _ in range(args.warmup):
        status, body, _headers = fetch(port, host, path, cookie)
        if status != 200 or b'<main id="main"' not in body:
            raise RuntimeError(f"{host}{path} as {persona}: {status}\n{body[:400]!r}")
    durations = []
    for _ in range(args.requests):
        started = time.perf_counter()
        status, body, _headers = fetch(port, host, path, cookie)
        durations.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{host}{path} as {persona}: {status}")
    return {"p50_ms": ms(percentile(durations, 0.5)), "p95_ms": ms(percentile(durations, 0.95))}


ASSET = re.compile(rb'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')


def first_visit_bytes(port: int, world: World) -> dict:
    status, html, _headers = fetch(port, world.host, "/courses/", world.sessions["learner"])
    if status != 200:
        raise RuntimeError(f"catalogue: {status}")
    sizes = {"html": len(gzip.compress(html, compresslevel=6))}
    for url in ASSET.findall(html):
        path = url.decode().replace("&amp;", "&")
        status, body, _headers = fetch(
            port, world.host, path, world.sessions["learner"], encoding="br, gzip"
        )
        if status != 200:
            raise RuntimeError(f"{path}: {status}")
        sizes[path.rsplit("/", 1)[-1].split("?")[0]] = len(body)
    return sizes


def queries_per_page(world: World) -> dict[str, int]:
    """SQL statements of one request to each page, counted in-process (for the record)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, (persona, host, path) in pages(world).items():
        client = Client(HTTP_HOST=host)
        client.cookies["sessionid"] = world.sessions[persona]
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} in-process: {response.status_code}")
        counts[name] = len(captured)
    return counts


def main() -> None:
    args = parse_args()
    # One key for this process and the server: sessions made here carry a hash of it.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    database = f"lectern_bench_pages_{os.getpid()}"
    with bench_database(database, keep=args.keep) as url:
        world = provision(args)
        queries = queries_per_page(world)
        log(f"queries per request: {queries}")
        with server(url, args.workers) as port:
            timings = {}
            for name, (persona, host, path) in pages(world).items():
                timings[name] = time_page(port, world, persona, host, path, args)
                log(f"{name} {path}: {timings[name]}")
            weight = first_visit_bytes(port, world)
    total = sum(weight.values())
    worst = max(page["p95_ms"] for page in timings.values())
    emit_result(
        {
            "benchmark": "pages",
            **{f"{name}_{key}": value for name, t in timings.items() for key, value in t.items()},
            "p95_ms_worst": worst,
            "first_visit_bytes": total,
            "first_visit_parts": weight,
            "queries": queries,
            "data": world.counts | {"tenants": args.tenants},
            "workers": args.workers,
            "goal_p95_ms": GOAL_P95_MS,
            "goal_first_visit_bytes": GOAL_FIRST_VISIT_BYTES,
            "met": worst <= GOAL_P95_MS and total <= GOAL_FIRST_VISIT_BYTES,
        }
    )


if __name__ == "__main__":
    main()
