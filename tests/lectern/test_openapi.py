"""The OpenAPI description of the tenant API and its interactive docs."""

from __future__ import annotations

import yaml


def test_schema_describes_the_api(client_a):
    response = client_a.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Lectern API"
    for path in ("/api/v1/auth/login", "/api/v1/me", "/api/v1/users", "/api/v1/groups"):
        assert path in schema["paths"], path


def test_interactive_docs_are_served_without_a_cdn(client_a):
    response = client_a.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"cdn.jsdelivr.net" not in response.content


def test_the_document_builds_without_a_warning(tmp_path, db):
    """Every operation's answers and every choice set are named without guesswork."""
    from django.core.management import call_command

    call_command(
        "spectacular",
        "--urlconf",
        "lectern.urls_tenant",
        "--file",
        str(tmp_path / "schema.yml"),
        "--validate",
        "--fail-on-warn",
    )
    assert "CourseStatus" in (tmp_path / "schema.yml").read_text()
