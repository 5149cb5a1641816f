"""Listing and searching: filter, sortBy/sortOrder, startIndex/count paging and
attributes/excludedAttributes; discovery collections."""

from __future__ import annotations

import json

from django.http import HttpResponse

from tenant_apps.scim import resources
from tenant_apps.scim.discovery import MAX_RESULTS
from tenant_apps.scim.errors import ScimError
from tenant_apps.scim.filters import filter_parse, filter_q

LISTS = {
    "Users": (
        resources.users_query,
        resources.user_resource,
        resources.USER_FIELDS,
        resources.USER_SORT,
    ),
    "Groups": (
        resources.groups_query,
        resources.group_resource,
        resources.GROUP_FIELDS,
        resources.GROUP_SORT,
    ),
}


def _names(value: str | None) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def _get_ci(params: dict, name: str) -> str | None:
    return next((v for k, v in params.items() if k.lower() == name.lower()), None)


def _integer(params: dict, name: str, default: int) -> int:
    raw = _get_ci(params, name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise ScimError(400, f"{name} must be an integer.", scim_type="invalidValue") from exc


def attributes_from_query(request, body: dict) -> dict:
    params = request.GET.dict()
    return resources.attributes_select(
        body,
        _names(_get_ci(params, "attributes")),
        _names(_get_ci(params, "excludedAttributes")),
    )


def list_answer(kind: str, params: dict, base_url: str) -> dict:
    query, represent, fields, sorts = LISTS[kind]
    queryset = query()
    text = _get_ci(params, "filter")
    if text:
        queryset = queryset.filter(filter_q(filter_parse(text), fields)).distinct()
    sort_by = (_get_ci(params, "sortBy") or "").lower()
    descending = (_get_ci(params, "sortOrder") or "ascending").lower() == "descending"
    order = sorts.get(sort_by, "pk") if sort_by else "pk"
    queryset = queryset.order_by(("-" if descending else "") + order, "pk")
    start = max(1, _integer(params, "startIndex", 1))
    count = min(MAX_RESULTS, max(0, _integer(params, "count", 100)))
    total = queryset.count()
    page = list(queryset[start - 1 : start - 1 + count]) if count else []
    attributes = _names(_get_ci(params, "attributes"))
    excluded = _names(_get_ci(params, "excludedAttributes"))
    return {
        "schemas": [resources.LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(page),
        "Resources": [
            resources.attributes_select(represent(item, base_url), attributes, excluded)
            for item in page
        ],
    }


def root_answer(params: dict, base_url: str) -> dict:
    """POST /.search: Users then Groups (a type whose attributes the filter does not
    know is left out)."""
    everything = {key: value for key, value in params.items() if key.lower() != "startindex"}
    everything["count"] = str(MAX_RESULTS)
    found: list[dict] = []
    for kind in LISTS:
        try:
            found += list_answer(kind, everything, base_url)["Resources"]
        except ScimError as error:
            if error.scim_type != "invalidFilter" or len(LISTS) == 1:
                raise
    start = max(1, _integer(params, "startIndex", 1))
    count = min(MAX_RESULTS, max(0, _integer(params, "count", 100)))
    page = found[start - 1 : start - 1 + count]
    return {
        "schemas": [resources.LIST_RESPONSE],
        "totalResults": len(found),
        "startIndex": start,
        "itemsPerPage": len(page),
        "Resources": page,
    }


def discovery_answer(documents: list[dict], resource_id: str | None) -> HttpResponse:
    from tenant_apps.scim.views import scim_response

    if resource_id is not None:
        found = next((d for d in documents if d["id"] == resource_id), None)
        if found is None:
            raise ScimError(404, f"No {resource_id}.")
        return scim_response(found)
    return scim_response(
        {
            "schemas": [resources.LIST_RESPONSE],
            "totalResults": len(documents),
            "startIndex": 1,
            "itemsPerPage": len(documents),
            "Resources": documents,
        }
    )


def dumps(body: dict) -> str:
    return json.dumps(body)
