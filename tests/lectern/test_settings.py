"""Production refuses to start without its secrets, naming the missing variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

START = "import django; django.setup()"


def start_production(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DEBUG"}
    }
    clean["DJANGO_SETTINGS_MODULE"] = "lectern.settings.production"
    return subprocess.run(
        [sys.executable, "-c", START],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "s" * 50}, "DATABASE_URL"),
        ({"SECRET_KEY": "s" * 50, "DATABASE_URL": "postgres://u@h/db"}, "REDIS_URL"),
    ],
)
def test_missing_secret_stops_start_up_with_one_line(env, missing):
    result = start_production(**env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[-1]]  # one line, no traceback
    assert missing in lines[0]


def test_production_starts_with_everything_set():
    result = start_production(
        SECRET_KEY="s" * 50, DATABASE_URL="postgres://u@h/db", REDIS_URL="redis://h:6379/0"
    )
    assert result.returncode == 0, result.stderr


def test_trusted_proxies_are_read_from_the_environment():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            START + "; from django.conf import settings; "
            "print(settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS)",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lectern.settings.production",
            "SECRET_KEY": "s" * 50,
            "DATABASE_URL": "postgres://u@h/db",
            "REDIS_URL": "redis://h:6379/0",
            "TRUSTED_PROXY_COUNT": "2",
            "TRUSTED_PROXY_NETWORKS": "10.0.0.0/8, fd00::/8",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 ['10.0.0.0/8', 'fd00::/8']"


def test_a_malformed_trusted_proxy_network_stops_start_up_with_one_line():
    result = start_production(
        SECRET_KEY="s" * 50,
        DATABASE_URL="postgres://u@h/db",
        REDIS_URL="redis://h:6379/0",
        TRUSTED_PROXY_NETWORKS="10.0.0.0/8,everyone",
    )
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "lectern: TRUSTED_PROXY_NETWORKS must list addresses or CIDR networks, got 'everyone'."
    )


@pytest.mark.parametrize("entry_point", ["lectern.wsgi", "lectern.asgi"])
def test_the_web_entry_points_default_to_production(entry_point):
    """Nothing imported on the way (the package, the Celery app) picks settings first."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG"}
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import {entry_point}; from django.conf import settings; "
            "print(settings.SETTINGS_MODULE)",
        ],
        env={**env, "SECRET_KEY": "s" * 50},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "lectern.settings.production"), (
        result.stderr
    )


PRODUCTION_SIGN_IN = """
import django
django.setup()
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
from django_tenants.utils import schema_context
from tenant_apps.people.services import user_create

with schema_context("t_cookies"):
    user_create(email="cookies@example.com", password="a-long-pass-phrase-9")
client = Client(HTTP_HOST="cookies.localhost", secure=True)
client.get("/accounts/login/")
signed_in = client.post(
    "/accounts/login/", {"username": "cookies@example.com", "password": "a-long-pass-phrase-9"}
)
print(signed_in.status_code)
for name in ("sessionid", "csrftoken"):
    morsel = signed_in.cookies.get(name) or client.cookies[name]
    print(name, bool(morsel["secure"]), bool(morsel["httponly"]), morsel["samesite"])
"""


def test_production_cookies_are_secure_http_only_and_same_site(committed_tenant, tmp_path):
    """Signing in on the portal under `lectern.settings.production` itself."""
    from tests.live import run_under_production

    committed_tenant("cookies")
    result = run_under_production(PRODUCTION_SIGN_IN, tmp_path / "static")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "302",
        "sessionid True True Lax",
        "csrftoken True True Lax",
    ]
