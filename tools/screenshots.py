"""Take the README's screenshots of the portal's main pages, on the demo tenant.

    .venv/bin/python tools/screenshots.py            # writes docs/screenshots/*.png

A database of its own (`lectern_screenshots` on the server `DATABASE_URL` names, dropped and
re-created; without `DATABASE_URL`, an embedded PostgreSQL under `.data/screenshots/`), Redis
database 13 of `REDIS_URL`'s server (or the embedded one), migrated and seeded with
`lectern seed_demo` exactly as `bin/run` seeds it; gunicorn serves it on a free port, and
Debian's Chromium (through Playwright) signs in as each demo person through the login form
and photographs each page at 1280 x 800 (and the learner's home at 360 px wide).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE = "lectern_screenshots"

# (file name, who, host ("demo" or "public"), path with the demo's ids to fill in)
SHOTS = [
    ("login", None, "demo", "/accounts/login/"),
    ("learner-home", "learner", "demo", "/"),
    ("catalogue", "learner", "demo", "/courses/"),
    ("course-page", "learner", "demo", "/courses/{security}/"),
    ("course-player", "learner", "demo", "/courses/{security}/lessons/{video}/"),
    ("my-learning", "learner", "demo", "/learning/"),
    ("certificates", "learner", "demo", "/certificates/"),
    ("profile", "learner", "demo", "/account/profile/"),
    ("teach-courses", "instructor", "demo", "/teach/courses/"),
    ("course-builder", "instructor", "demo", "/teach/courses/{security}/"),
    ("course-analytics", "instructor", "demo", "/teach/courses/{security}/analytics/"),
    ("grading", "instructor", "demo", "/teach/grading/"),
    ("admin-dashboard", "admin", "demo", "/manage/"),
    ("admin-people", "admin", "demo", "/manage/people/"),
    ("admin-enrollments", "admin", "demo", "/manage/enrollments/"),
    ("admin-branding", "admin", "demo", "/manage/branding/"),
    ("admin-audit", "admin", "demo", "/manage/audit/"),
    ("operator-tenants", "operator", "public", "/tenants/"),
    ("operator-metrics", "operator", "public", "/metrics/"),
]
PEOPLE = {
    "learner": ("learner@demo.example.com", "demo-learner-pass"),
    "instructor": ("instructor@demo.example.com", "demo-instructor-pass"),
    "admin": ("admin@demo.example.com", "demo-admin-pass"),
    "operator": ("operator@example.com", "lectern-operator"),
}


def environment() -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lectern.settings.dev",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "platform"), str(REPO_ROOT)]),
    }
    server_url = os.environ.get("DATABASE_URL")
    if server_url:
        import psycopg

        parts = urlsplit(server_url)
        maintenance = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DATABASE}")
        env["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE}", "", ""))
    else:
        env["LECTERN_DATA_DIR"] = str(REPO_ROOT / ".data" / "screenshots")
    if os.environ.get("REDIS_URL"):
        parts = urlsplit(os.environ["REDIS_URL"])
        env["REDIS_URL"] = urlunsplit((parts.scheme, parts.netloc, "/13", "", ""))
    return env


@contextlib.contextmanager
def demo_server(env: dict[str, str]):
    """Migrated and seeded as `bin/run` does, served by the test suite's live server
    (gunicorn); yields its port."""
    from tests.live import live_server

    for command in (["migrate"], ["seed_demo"]):
        subprocess.run([str(BIN / "lectern"), *command], env=env, check=True, cwd=REPO_ROOT)
    with (
        tempfile.TemporaryDirectory(prefix="lectern-screenshots-") as logs,
        live_server(env, Path(logs) / "server.log", workers=2) as base_url,
    ):
        yield int(base_url.rsplit(":", 1)[1])


def demo_ids(env: dict[str, str]) -> dict[str, int]:
    """The ids of the demo course and video lesson the pages above show."""
    script = (
        "import django; django.setup()\n"
        "from django_tenants.utils import schema_context\n"
        "from tenant_apps.courses.models import Course\n"
        "with schema_context('t_demo'):\n"
        "    c = Course.objects.get(title='Security Awareness Essentials')\n"
        "    v = c.lessons.get(title='Reporting an incident')\n"
        "    print(c.pk, v.pk)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    security, video = out.stdout.split()
    return {"security": int(security), "video": int(video)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO_ROOT))
    from tests.browser import chromium

    env = environment()
    with demo_server(env) as port, chromium() as browser:
        contexts = {}

        def context_for(who):
            if who not in contexts:
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                if who is not None:
                    page = context.new_page()
                    email, password = PEOPLE[who]
                    host = "localhost" if who == "operator" else "demo.localhost"
                    page.goto(f"http://{host}:{port}/accounts/login/")
                    page.fill("#id_username", email)
                    page.fill("#id_password", password)
                    page.click("button[type=submit]")
                    page.wait_for_load_state("networkidle")
                    page.close()
                contexts[who] = context
            return contexts[who]

        ids = demo_ids(env)
        for name, who, host, path in SHOTS:
            page = context_for(who).new_page()
            base = f"http://demo.localhost:{port}" if host == "demo" else f"http://localhost:{port}"
            response = page.goto(base + path.format(**ids))
            if response is None or response.status != 200:
                raise RuntimeError(f"{path} as {who}: {response and response.status}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=False)
            if name == "learner-home":
                page.set_viewport_size({"width": 360, "height": 740})
                page.screenshot(path=str(args.out / "learner-home-phone.png"))
            page.close()
            print(f"{name}: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
