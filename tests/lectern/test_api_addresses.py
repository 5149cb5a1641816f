"""The API's addresses: a root that says what is there, one rule for trailing slashes, a
404 with the error body for addresses that name nothing, JSON only."""

from __future__ import annotations

import pytest

from tenant_apps.people.models import Role


@pytest.fixture
def as_learner(api, make_person):
    return api(make_person(Role.LEARNER))


def test_the_root_links_to_the_document_the_docs_and_where_to_start(api):
    response = api().get("/api/v1/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    base = "http://alpha.localhost/api/v1"
    assert response.json() == {
        "name": "Lectern API",
        "version": "v1",
        "schema": f"{base}/schema/",
        "docs": f"{base}/docs/",
        "links": {
            "sign_in": f"{base}/auth/login",
            "me": f"{base}/me",
            "courses": f"{base}/courses",
            "my_enrollments": f"{base}/me/enrollments",
            "my_certificates": f"{base}/me/certificates",
        },
    }


@pytest.mark.parametrize(
    ("asked", "redirected_to"),
    [
        ("/api/v1", "/api/v1/"),
        ("/api/v1/courses/", "/api/v1/courses"),
        ("/api/v1/courses/?page=2&search=x", "/api/v1/courses?page=2&search=x"),
        ("/api/v1/docs", "/api/v1/docs/"),
        ("/api/v1/schema", "/api/v1/schema/"),
    ],
)
def test_a_route_asked_with_the_other_slash_is_a_permanent_redirect(
    as_learner, asked, redirected_to
):
    response = as_learner.get(asked)
    assert (response.status_code, response["Location"]) == (308, redirected_to)


def test_the_redirect_keeps_the_method(as_learner):
    response = as_learner.post("/api/v1/me/tokens/", {"name": "ci"})
    assert (response.status_code, response["Location"]) == (308, "/api/v1/me/tokens")


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/nothing/", "/api/v2/courses"])
def test_an_address_that_names_nothing_is_a_404_with_the_error_body(
    as_learner, settings, debug, path
):
    settings.DEBUG = debug  # with DEBUG on, Django's own page would list every route
    response = as_learner.get(path)
    assert (response.status_code, response.json()) == (
        404,
        {"error": {"code": "not_found", "message": "Not found.", "details": []}},
    )


def test_answers_are_json_whatever_a_browser_asks_for(as_learner):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = as_learner.get("/api/v1/courses", HTTP_ACCEPT=browser)
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    assert as_learner.get("/api/v1/courses?format=api").status_code == 404
