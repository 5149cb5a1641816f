"""The learners' catalogue: published courses, filtered, searched and paged.

The results region of a page everyone sees alike is kept rendered in this process while the
tenant's catalogue is unchanged, like the API's catalogue pages (see catalogue_cache)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from core.pages import page_of, page_requires, partial_wanted, query_without_page
from core.purchasing import price_note_for
from tenant_apps.courses import catalogue_cache, selectors
from tenant_apps.courses.forms import CatalogueFilterForm
from tenant_apps.people.permissions import Capability, user_can

PER_PAGE = 24


def may_take_courses(user) -> bool:
    """The catalogue's rule, the same as the courses API's (TAKE_COURSES)."""
    return user_can(user, Capability.TAKE_COURSES)


def _results(request: HttpRequest, form: CatalogueFilterForm) -> str:
    """The rendered results region: the page of courses the filters ask for."""
    if form.is_valid():
        courses = selectors.course_catalogue_search(user=request.user, **form.search_arguments())
    else:
        courses = selectors.course_catalogue(user=request.user).none()
    return render_to_string(
        "courses/_catalogue_results.html",
        {
            "page": page_of(request, courses, PER_PAGE),
            "form": form,
            "query": query_without_page(request),
            "price_note": price_note_for(request),
        },
        request=request,
    )


def _kept_results(request: HttpRequest, form: CatalogueFilterForm) -> str:
    key = None
    if selectors.catalogue_is_shared(request.user):
        key = catalogue_cache.page_key(request)
    if key is None:
        return _results(request, form)
    # The note beside prices (a wing's tax label) is part of what the page shows.
    key = ("portal-results", translation.get_language(), price_note_for(request), *key)
    body = catalogue_cache.catalogue_pages.get(key)
    if body is None:
        body = _results(request, form).encode()
        catalogue_cache.catalogue_pages.put(key, body)
    return body.decode()


@page_requires(may_take_courses)
def catalogue(request: HttpRequest) -> HttpResponse:
    """`/courses/`: a plain GET form; an HTMX request gets the results region alone."""
    form = CatalogueFilterForm(
        request.GET,
        categories=selectors.category_list(),
        languages=selectors.catalogue_languages(user=request.user),
    )
    results = mark_safe(_kept_results(request, form))  # noqa: S308 - our own template's output
    if partial_wanted(request, "catalogue-results"):
        return HttpResponse(results)
    return render(request, "courses/catalogue.html", {"form": form, "results": results})
