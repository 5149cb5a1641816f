"""The `lectern` command as an operator runs it: separate processes on a database of their
own. `lectern migrate` with one tenant that fails and one that is behind."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def lectern(fresh_database, settings):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lectern.settings.dev",
        "DATABASE_URL": fresh_database,
        "REDIS_URL": settings.REDIS_URL,
        "TENANT_SPARE_SCHEMAS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "lectern.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )

    return run


def sql(url: str, statement: str) -> list[tuple]:
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        cursor = c.execute(statement)
        return cursor.fetchall() if cursor.description else []


def test_tenant_commands_and_migrate_with_a_failing_tenant(lectern, fresh_database):
    first = lectern("migrate")
    assert first.returncode == 0, first.stderr
    assert "Tenants: 0 in all" in first.stdout

    for slug in ("one", "two", "three"):
        created = lectern(
            "tenants",
            "create",
            slug,
            "--name",
            slug.title(),
            "--admin-email",
            f"admin@{slug}.example",
        )
        assert created.returncode == 0, created.stderr
        assert f"Tenant {slug} is ready at {slug}.localhost." in created.stdout

    listing = lectern("tenants", "list")
    assert [line.split()[:2] for line in listing.stdout.splitlines()] == [
        ["one", "active"],
        ["three", "active"],
        ["two", "active"],
    ]

    # "two" believes a migration is missing whose table exists: applying it must fail.
    sql(fresh_database, "DELETE FROM t_two.django_migrations WHERE app = 'sessions'")
    # "three" is genuinely behind: the table and its record are both gone.
    sql(fresh_database, "DELETE FROM t_three.django_migrations WHERE app = 'sessions'")
    sql(fresh_database, "DROP TABLE t_three.django_session")

    result = lectern("migrate")
    assert result.returncode == 1
    assert "Tenants: 3 in all, 1 already current, 1 migrated, 1 failed" in result.stdout
    assert "Tenant schema t_two failed: ProgrammingError" in result.stderr
    assert 'relation "django_session" already exists' in result.stderr
    assert sql(fresh_database, "SELECT to_regclass('t_three.django_session') IS NOT NULL") == [
        (True,)
    ]

    sql(
        fresh_database,
        "INSERT INTO t_two.django_migrations (app, name, applied) "
        "SELECT app, name, applied FROM t_three.django_migrations "
        "WHERE app = 'sessions'",
    )
    healed = lectern("migrate")
    assert healed.returncode == 0, healed.stderr
    assert "Tenants: 3 in all, 3 already current, 0 migrated, 0 failed" in healed.stdout


def test_tenant_lifecycle_from_the_command_line(lectern):
    assert lectern("migrate").returncode == 0
    assert (
        lectern(
            "tenants", "create", "acme", "--name", "Acme", "--admin-email", "boss@acme.example"
        ).returncode
        == 0
    )

    bad = lectern("tenants", "create", "www", "--name", "W", "--admin-email", "a@w.example")
    assert bad.returncode == 1
    assert "slug: 'www' is reserved." in bad.stderr

    assert "Tenant acme: suspended." in lectern("tenants", "suspend", "acme").stdout
    assert "Tenant acme: active." in lectern("tenants", "resume", "acme").stdout
    assert "Tenant acme: archived." in lectern("tenants", "archive", "acme").stdout
    deleted = lectern("tenants", "delete", "acme")
    assert "Tenant acme: deleted, purged after" in deleted.stdout
    assert "Tenant acme: archived." in lectern("tenants", "restore", "acme").stdout
    added = lectern("tenants", "add-domain", "acme", "learn.acme.example")
    assert "learn.acme.example now routes to acme." in added.stdout
    missing = lectern("tenants", "suspend", "nobody")
    assert missing.returncode == 1
    assert "No tenant 'nobody'." in missing.stderr
