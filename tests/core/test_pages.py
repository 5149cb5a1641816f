"""The page helpers every list shares: which HTMX requests get only a region, and the
filters that page links keep."""

from __future__ import annotations

from django_htmx.middleware import HtmxMiddleware

from core.pages import partial_wanted, query_without_page


def request_with(rf, path: str = "/", **headers):
    request = rf.get(path, headers=headers)
    HtmxMiddleware(lambda r: None)(request)
    return request


def test_only_an_htmx_request_for_the_region_gets_the_region(rf):
    assert not partial_wanted(request_with(rf))
    assert partial_wanted(request_with(rf, HX_Request="true"))
    aimed = request_with(rf, HX_Request="true", HX_Target="results")
    assert partial_wanted(aimed, "results") and not partial_wanted(aimed, "elsewhere")
    # Restoring a page from htmx's history needs the whole page.
    restoring = request_with(rf, HX_Request="true", HX_History_Restore_Request="true")
    assert not partial_wanted(restoring)


def test_page_links_keep_the_filters_but_not_the_page(rf):
    assert query_without_page(request_with(rf, "/?q=safety&page=3&status=active")) == (
        "q=safety&status=active"
    )
