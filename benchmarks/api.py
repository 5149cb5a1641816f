"""Benchmark: the course catalogue API through the real stack versus a raw WSGI handler.

The question (from the product issue): with 10,000 published courses in a tenant, how many
requests per second does `GET /api/v1/courses` (20 per page) serve through the real stack
(gunicorn, tenant routing, authentication, throttling, DRF), compared with a minimal raw
WSGI + psycopg handler that runs the same SQL and returns the same JSON, in the same run?
The goal (issue 7): the real stack at least 1.5 times the raw handler's requests per second
(`ratio` >= 1.5), with a lower p50 latency. The real stack keeps catalogue pages per worker
under the tenant's catalogue version (tenant_apps/courses/catalogue_cache.py); routing,
authentication, permissions and throttling still run on every request. The raw handler
keeps nothing: it runs the SQL for every request.

On a fresh database of its own (see `_common.py`; Redis database 14 unless
`BENCH_REDIS_URL` says otherwise, flushed at start and end) the public schema and the
template are migrated, one tenant is provisioned with `tenant_create`, and in its schema
an instructor or two, a learner with a personal API token, a few categories and tags, and
`--courses` published courses (one section and one lesson each, so `lesson_count` is real)
are created in bulk (not timed), then the database is vacuumed and analysed, as autovacuum
leaves it in steady state.

Two servers are then started, each with `gunicorn` sync workers (`--workers`, the same
count for both) on 127.0.0.1:

* **real**: `lectern.wsgi:application` with the production settings
  (`lectern.settings.production`, `DEBUG` off, JSON logs at WARNING, `DB_CONN_MAX_AGE=60`).
  Every request is routed by its Host header, authenticated with the learner's personal
  token (`Authorization: Bearer lpt_...`: looked up in the database, then remembered by
  each worker while the tenant's credentials stamp in Redis is unchanged, one Redis read
  per request; see tenant_apps/people/token_cache.py) and counted by the
  throttle in Redis. The rates are raised (`API_RATE_USER` / `API_RATE_TOKEN`) so that the
  throttle runs but never refuses; any non-2xx response fails the benchmark. Each
  worker checks the catalogue version in Redis per request and serves a page it keeps
  while the version is unchanged.
* **raw**: `benchmarks/raw_catalogue.py`, one psycopg connection per worker on the tenant's
  schema, running the SQL the endpoint runs and `json.dumps`-ing the same body. Before
  anything is timed the SQL the endpoint executes is captured in-process and checked,
  statement by statement and parameter by parameter, against the raw handler's (only the
  token lookup is the real stack's own), and several pages are fetched from both servers
  and compared (parsed bodies, `next`/`previous` links included). The real stack is also
  checked to answer 401 without the token and 404 on an unknown host, and its throttle to
  count every request.

Load comes from `wrk` (same settings for both, Host header set to the tenant's host):
a warm-up run each, then `--rounds` pairs of runs alternating raw, real, raw, real... A
Lua script cycles every connection through pages 1..`--pages`. Reported: the median
requests/s and the median of the runs' p50 latencies, for each server; `ratio` =
django_rps / raw_rps.

Progress goes to stderr; the last line on stdout is the result as JSON. Both servers are
stopped (process groups, also on Ctrl-C or an error) and the database is dropped at the
end unless `--keep`.

    .venv/bin/python benchmarks/api.py --workers 4

On a 2-core machine wrk, PostgreSQL, Redis and both servers share the cores: the figures
move with anything else running there, which is why runs alternate and medians are kept
(`load_1m_max` in the result is the highest 1-minute load average seen before a run).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

DATABASE = "lectern_bench_api"
# Its own Redis database, so it never flushes what the other benchmarks or the tests use.
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

from _common import (  # noqa: E402
    REPO_ROOT,
    bench_database,
    collected_static,
    emit_result,
    log,
    ms,
    redis_url,
)

BENCH_DIR = Path(__file__).resolve().parent
SLUG = "bench"
PATH = "/api/v1/courses"
PAGE_SIZE = 20  # core.api.pagination.PagePagination.page_size
# Enough that the throttle never refuses, while it still counts every request.
UNLIMITED_RATE = "100000000/min"
GUNICORN = Path(sys.executable).with_name("gunicorn")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--courses", type=int, default=10_000, help="published courses")
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn sync workers, for each server"
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (-c)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (-t)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per timed run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per server")
    parser.add_argument("--rounds", type=int, default=2, help="pairs of timed runs (raw, real)")
    parser.add_argument(
        "--pages", type=int, default=10, help="each connection cycles through pages 1..N"
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if min(args.courses, args.workers, args.connections, args.threads) < 1:
        parser.error("--courses, --workers, --connections and --threads must be at least 1")
    if min(args.duration, args.rounds, args.pages) < 1 or args.warmup < 0:
        parser.error("--duration, --rounds and --pages must be at least 1, --warmup >= 0")
    if args.pages > -(-args.courses // PAGE_SIZE):
        parser.error("--pages is more than the catalogue has")
    if args.threads > args.connections:
        parser.error("--threads cannot exceed --connections")
    return args


# ------------------------------------------------------------------------------------------
# The tenant and its catalogue
WORDS = tuple(
    " ".join(
        (
            "Python Rust Go Kotlin Swift Haskell Elixir SQL Data Design Colour Typography",
            "Leadership Negotiation Finance Accounting Statistics Algebra Calculus Geometry",
            "Chemistry Biology Physics Writing Grammar Spanish French German Japanese",
            "Photography Drawing Music Guitar Piano Marketing Sales Security Networks Cloud",
            "Testing Agile Safety Compliance Ethics",
        )
    ).split()
)
LEVELS = ("Basics", "Essentials", "Fundamentals", "in Practice", "Masterclass", "Deep Dive")
CATEGORIES = ("Programming", "Design", "Business", "Science", "Languages", "Arts")
TAGS = (
    "beginner-friendly",
    "certificate",
    "hands-on",
    "popular",
    "new",
    "Video",
    "Quiz",
    "self-paced",
    "Advanced",
    "Team",
    "Remote",
    "Exam prep",
)


@dataclass(frozen=True)
class Catalogue:
    schema: str
    host: str
    token: str
    token_id: int
    courses: int


def provision(courses: int) -> Catalogue:
    """The tenant, its people and `courses` published courses (bulk, not timed)."""
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
        Tag,
    )
    from tenant_apps.people.models import Role
    from tenant_apps.people.services import user_create
    from tenant_apps.people.tokens import personal_token_issue

    tenant = tenant_create(
        slug=SLUG,
        name="Benchmark",
        admin_email=f"admin@{SLUG}.example.com",
        plan_code="enterprise",  # as many courses and people as measured: no plan limits
    ).tenant
    host = Domain.objects.get(tenant=tenant, is_primary=True).domain
    rng = random.Random(20240601)
    with schema_context(tenant.schema_name), transaction.atomic():
        owners = [
            user_create(email=email, full_name=name, role=Role.INSTRUCTOR)
            for email, name in (
                ("ines@example.com", "Ines Instructor"),
                ("otto@example.com", "Otto Ötker"),
            )
        ]
        learner = user_create(email="lena@example.com", full_name="Lena Learner")
        issued = personal_token_issue(user=learner, name="benchmark")
        categories = Category.objects.bulk_create(
            Category(name=name, slug=name.lower()) for name in CATEGORIES
        )
        tags = Tag.objects.bulk_create(Tag(name=name) for name in TAGS)

        started = datetime(2023, 1, 1, 9, 0, tzinfo=UTC)
        rows = []
        for index in range(courses):
            title = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(LEVELS)}"
            price = rng.choice((0, 0, 1900, 4950, 12000))
            rows.append(
                Course(
                    title=title,
                    slug=f"course-{index:05d}",
                    description=f"{title}: a course about {rng.choice(WORDS).lower()} "
                    f"and {rng.choice(WORDS).lower()} — lessons, exercises and a quiz. "
                    * rng.randint(1, 3),
                    category=None if index % 10 == 0 else rng.choice(categories),
                    difficulty=rng.choice(Difficulty.values),
                    language=rng.choice(("en", "en", "de", "fr", "pt-BR")),
                    estimated_minutes=rng.randrange(0, 600, 15),
                    price_amount=price,
                    currency="USD" if price == 0 else rng.choice(("USD", "EUR")),
                    status=CourseStatus.PUBLISHED,
                    certificate_enabled=rng.random() < 0.3,
                    passing_score=rng.choice((60, 70, 80)),
                    owner=rng.choice(owners),
                    published_at=started + timedelta(minutes=index * 7, microseconds=index),
                )
            )
        created = Course.objects.bulk_create(rows, batch_size=2000)
        through = Course.tags.through
        through.objects.bulk_create(
            (
                through(course_id=course.pk, tag_id=tag.pk)
                for course in created
                for tag in rng.sample(tags, rng.randint(0, 3))
            ),
            batch_size=5000,
        )
        sections = Section.objects.bulk_create(
            (Section(course=course, title="Introduction", position=1) for course in created),
            batch_size=2000,
        )
        Lesson.objects.bulk_create(
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
    # As autovacuum leaves a table in steady state: statistics, and a visibility map so that
    # COUNT(*) can be an index-only scan (a fresh bulk load has none).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    with schema_context(tenant.schema_name):
        published = Course.objects.filter(status=CourseStatus.PUBLISHED).count()
    if published != courses:
        raise RuntimeError(f"expected {courses} published courses, found {published}")
    return Catalogue(
        schema=tenant.schema_name,
        host=host,
        token=issued.secret,
        token_id=issued.token.pk,
        courses=published,
    )


# ------------------------------------------------------------------------------------------
# The same SQL on both sides
def check_same_sql(catalogue: Catalogue, pages: list[int]) -> None:
    """Run the endpoint in-process and compare the SQL it executes with the raw handler's.

    The personal-token lookup is the real stack's own (authentication); every other
    statement must be the raw handler's, in the same order, with the same parameters.
    """
    import raw_catalogue
    from django.db import connection
    from django.test import Client

    from tenant_apps.courses.catalogue_cache import catalogue_pages

    client = Client(HTTP_HOST=catalogue.host, HTTP_AUTHORIZATION=f"Bearer {catalogue.token}")
    client.get(PATH)  # the routing map and the token's last_used_at settle first
    for page in pages:
        executed: list[tuple[str, tuple]] = []

        def capture(execute, sql, params, many, context, executed=executed):
            executed.append((sql, tuple(params or ())))
            return execute(sql, params, many, context)

        catalogue_pages.clear()  # the SQL a page is built with, not a kept page
        with connection.execute_wrapper(capture):
            response = client.get(PATH if page == 1 else f"{PATH}?page={page}")
        if response.status_code != 200:
            raise RuntimeError(f"in-process page {page}: HTTP {response.status_code}")
        ids = [course["id"] for course in response.json()["results"]]
        catalogue_sql = [(s, p) for s, p in executed if "people_personalaccesstoken" not in s]
        expected = raw_catalogue.catalogue_queries(page, ids)
        if catalogue_sql != expected:
            for got, want in zip(catalogue_sql, expected, strict=False):
                if got != want:
                    log(f"endpoint ran: {got}")
                    log(f"raw handler:  {want}")
            raise RuntimeError(
                f"page {page}: the endpoint ran {len(catalogue_sql)} catalogue statement(s) "
                "that differ from the raw handler's; update benchmarks/raw_catalogue.py"
            )
        others = len(executed) - len(catalogue_sql)
        log(
            f"page {page}: the same {len(expected)} catalogue statement(s) on both sides "
            f"(+{others} for authentication)"
        )


# ------------------------------------------------------------------------------------------
# The two servers
@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_server(name: str, app: str, env: dict[str, str], workers: int) -> Server:
    port = free_port()
    command = [
        str(GUNICORN),
        app,
        "--worker-class=sync",
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        "--timeout=60",
        "--graceful-timeout=5",
    ]
    # A process group of its own: stopped as a whole, never hit by the terminal's Ctrl-C.
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True
    )
    server = Server(name=name, process=process, port=port)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} server exited at start-up ({process.returncode})")
        with contextlib.suppress(OSError):
            if http_get(port, "/healthz", {})[0] in (200, 404):
                break
        if time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError(f"{name} server did not answer within 60 s")
        time.sleep(0.2)
    log(f"{name} server: gunicorn, {workers} sync workers, 127.0.0.1:{port}")
    return server


def stop_server(server: Server) -> None:
    process = server.process
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    # Workers that outlived the arbiter would still be in its group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    log(f"{server.name} server stopped")


@contextlib.contextmanager
def servers(catalogue: Catalogue, database_url: str, workers: int) -> Iterator[tuple]:
    base = {key: value for key, value in os.environ.items() if not key.startswith("RAW_")}
    real_env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "lectern.settings.production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url(),
        "CELERY_BROKER_URL": redis_url(),
        "ALLOWED_HOSTS": f"localhost,.localhost,{catalogue.host}",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
        "API_RATE_USER": UNLIMITED_RATE,
        "API_RATE_TOKEN": UNLIMITED_RATE,
        # This tree's code, whatever the virtualenv's editable install points at.
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "platform"), str(REPO_ROOT)]),
    }
    raw_env = {
        **base,
        "RAW_DATABASE_URL": database_url,
        "RAW_SCHEMA": catalogue.schema,
        "PYTHONPATH": str(BENCH_DIR),
    }
    started: list[Server] = []
    with collected_static(real_env) as real_env:
        try:
            started.append(start_server("raw", "raw_catalogue:application", raw_env, workers))
            started.append(start_server("real", "lectern.wsgi:application", real_env, workers))
            yield tuple(started)
        finally:
            for server in reversed(started):
                stop_server(server)


def real_headers(catalogue: Catalogue) -> dict[str, str]:
    return {"Host": catalogue.host, "Authorization": f"Bearer {catalogue.token}"}


def throttle_count(catalogue: Catalogue) -> int:
    import redis

    client = redis.Redis.from_url(redis_url())
    pattern = f"lectern:throttle:{catalogue.schema}:token:{catalogue.token_id}:*"
    return sum(int(client.get(key) or 0) for key in client.scan_iter(pattern))


def check_servers(raw: Server, real: Server, catalogue: Catalogue, pages: list[int]) -> None:
    """Same bodies from both; the real stack really routes, authenticates and throttles."""
    for page in pages:
        path = PATH if page == 1 else f"{PATH}?page={page}"
        bodies = []
        for server, headers in ((raw, {"Host": catalogue.host}), (real, real_headers(catalogue))):
            status, body = http_get(server.port, path, headers)
            if status != 200:
                raise RuntimeError(f"{server.name} {path}: HTTP {status}: {body[:300]!r}")
            bodies.append(json.loads(body))
        if bodies[0] != bodies[1]:
            raw_body, real_body = bodies
            for key in ("count", "next", "previous"):
                if raw_body.get(key) != real_body.get(key):
                    log(f"{key}: raw {raw_body.get(key)!r} != real {real_body.get(key)!r}")
            for mine, theirs in zip(raw_body["results"], real_body["results"], strict=False):
                if mine != theirs:
                    log(f"first differing course: raw {mine} != real {theirs}")
                    break
            raise RuntimeError(f"{path}: the two servers' bodies differ")
        results = bodies[0]["results"]
        if len(results) != min(PAGE_SIZE, catalogue.courses - (page - 1) * PAGE_SIZE):
            raise RuntimeError(f"{path}: {len(results)} courses")
        log(f"{path}: same body from both ({len(results)} courses, next={bodies[0]['next']})")

    status, _ = http_get(real.port, PATH, {"Host": catalogue.host})
    if status != 401:
        raise RuntimeError(f"real stack without a token: HTTP {status}, expected 401")
    status, _ = http_get(real.port, PATH, {**real_headers(catalogue), "Host": "nope.localhost"})
    if status != 404:
        raise RuntimeError(f"real stack on an unknown host: HTTP {status}, expected 404")
    for _attempt in range(3):  # a window boundary can fall in between; try again then
        before = throttle_count(catalogue)
        for _ in range(3):
            http_get(real.port, PATH, real_headers(catalogue))
        if throttle_count(catalogue) - before == 3:
            break
    else:
        raise RuntimeError("the throttle did not count the real stack's requests")
    log("real stack: 401 without a token, 404 on an unknown host, every request throttled")


# ------------------------------------------------------------------------------------------
# Load
PAGES_LUA = """\
local pages = {pages}
local n = 0
request = function()
  n = n + 1
  local page = (n - 1) % pages + 1
  if page == 1 then
    return wrk.format(nil, "{path}")
  end
  return wrk.format(nil, "{path}?page=" .. page)
end
"""
SOCKET_ERRORS = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Run:
    rps: float
    p50_ms: float
    requests: int
    socket_errors: int


def _wrk_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def run_wrk(server: Server, args: argparse.Namespace, headers: dict, script: Path, seconds: int):
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{server.port}{PATH}")
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    output = completed.stdout
    if completed.returncode != 0 or "Requests/sec:" not in output:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr}{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{server.name}: {non_2xx.group(1)} non-2xx responses under load")
    errors = re.search(SOCKET_ERRORS, output)
    return Run(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_wrk_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def measure(raw: Server, real: Server, catalogue: Catalogue, args, script: Path) -> dict:
    plans = {"raw": (raw, {"Host": catalogue.host}), "real": (real, real_headers(catalogue))}
    if args.warmup:
        for name, (server, headers) in plans.items():
            log(f"warm-up {name}: {args.warmup} s")
            run_wrk(server, args, headers, script, args.warmup)
    runs: dict[str, list[Run]] = {"raw": [], "real": []}
    loads = []
    for round_index in range(args.rounds):
        for name, (server, headers) in plans.items():
            load = os.getloadavg()[0]
            loads.append(load)
            run = run_wrk(server, args, headers, script, args.duration)
            runs[name].append(run)
            log(
                f"round {round_index + 1}/{args.rounds} {name}: {run.rps:.1f} req/s, "
                f"p50 {run.p50_ms:.1f} ms, {run.requests} requests, "
                f"{run.socket_errors} socket errors (1-min load before: {load:.2f})"
            )
    return {"runs": runs, "loads": loads}


# ------------------------------------------------------------------------------------------
def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed for this benchmark: apt-get install wrk", file=sys.stderr)
        sys.exit(2)
    # Ctrl-C raises KeyboardInterrupt (even if started with SIGINT ignored, as background
    # jobs are); SIGTERM and SIGHUP unwind the same way, through every `finally`.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: sys.exit(128 + signum))
    # The in-process checks throttle too; never let them be refused.
    os.environ["API_RATE_USER"] = os.environ["API_RATE_TOKEN"] = UNLIMITED_RATE

    wall_started = time.perf_counter()
    with bench_database(DATABASE, keep=args.keep) as database_url:
        log(f"provisioning the tenant and {args.courses} published courses")
        started = time.perf_counter()
        catalogue = provision(args.courses)
        took = time.perf_counter() - started
        log(f"{catalogue.courses} courses in {catalogue.schema} ({took:.1f} s)")

        last_page = -(-catalogue.courses // PAGE_SIZE)
        check_pages = sorted({1, 2, min(args.pages, last_page), max(1, last_page // 2), last_page})
        check_same_sql(catalogue, check_pages[:3])
        from django.db import connections

        connections.close_all()

        with tempfile.TemporaryDirectory(prefix="lectern-bench-api-") as folder:
            script = Path(folder) / "pages.lua"
            script.write_text(PAGES_LUA.format(pages=args.pages, path=PATH))
            with servers(catalogue, database_url, args.workers) as (raw, real):
                check_servers(raw, real, catalogue, check_pages)
                log(
                    f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
                    f"pages 1..{args.pages}, {args.rounds} round(s) of raw then real"
                )
                measured = measure(raw, real, catalogue, args, script)

    runs = measured["runs"]
    django_rps = statistics.median(run.rps for run in runs["real"])
    raw_rps = statistics.median(run.rps for run in runs["raw"])
    result = {
        "courses": catalogue.courses,
        "page_size": PAGE_SIZE,
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "django_rps": round(django_rps, 1),
        "raw_rps": round(raw_rps, 1),
        "ratio": round(django_rps / raw_rps, 3),
        "django_p50_ms": ms(statistics.median(run.p50_ms for run in runs["real"])),
        "raw_p50_ms": ms(statistics.median(run.p50_ms for run in runs["raw"])),
        "threads": args.threads,
        "pages": args.pages,
        "rounds": args.rounds,
        "django_runs_rps": [round(run.rps, 1) for run in runs["real"]],
        "raw_runs_rps": [round(run.rps, 1) for run in runs["raw"]],
        "load_1m_max": round(max(measured["loads"]), 2),
        "cpus": os.cpu_count(),
    }
    result["wall_s"] = round(time.perf_counter() - wall_started, 1)
    log(f"done in {result['wall_s']} s: ratio {result['ratio']}")
    emit_result(result)


if __name__ == "__main__":
    main()
