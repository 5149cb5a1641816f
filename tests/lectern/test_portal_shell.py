"""Every signed-in page shares one shell: a skip link to the main landmark, the header's
navigation for the person's role, the front-end packages from npm and no inline script."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders


def test_a_signed_in_page_has_the_shell(portal, make_person):
    html = portal(make_person(role="learner")).get("/accounts/tokens/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert re.search(r'<nav class="site-nav" aria-label="Main">.*>Home</a>', html, re.S)
    assert "/static/vendor/htmx.min.js" in html
    assert "<script>" not in html and " style=" not in html


def test_the_npm_packages_are_found_as_static_files():
    for path in ("vendor/htmx.min.js", "vendor/Sortable.min.js", "vendor/chart.umd.min.js"):
        assert finders.find(path), path
    assert finders.find("vendor/../package.json") is None


def test_a_service_error_no_page_caught_is_a_branded_page_not_a_500(rf, tenant_a):
    from enum import Enum

    import pytest
    from django.http import Http404

    from core.errors import FieldError, NotFound, ValidationFailed
    from core.pages import ApplicationErrorPageMiddleware

    class Code(Enum):
        GONE = "gone"
        BAD = "bad"

    middleware = ApplicationErrorPageMiddleware(lambda request: None)
    request = rf.get("/somewhere/")
    with pytest.raises(Http404):
        middleware.process_exception(request, NotFound(Code.GONE, "No such course."))
    refused = ValidationFailed(Code.BAD, "That was refused.", [FieldError("title", "Too long.")])
    response = middleware.process_exception(request, refused)
    assert response.status_code == 400
    assert b"That was refused." in response.content and b"Too long." in response.content
    assert middleware.process_exception(request, ValueError("ours")) is None
