"""SCIM 2.0 endpoints at /scim/v2/ on the tenant's host: parse, authenticate with the
tenant's bearer token, call one service, answer `application/scim+json`."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from core.entitlements import entitlement_require
from core.errors import ApplicationError
from core.request_context import client_address
from tenant_apps.scim import discovery, listing
from tenant_apps.scim.bulk import bulk_run
from tenant_apps.scim.errors import ScimError
from tenant_apps.scim.patch import canonical, patch_apply
from tenant_apps.scim.resources import (
    group_resource,
    groups_query,
    user_resource,
    users_query,
)
from tenant_apps.scim.tokens import scim_request_log, scim_token_authenticate
from tenant_apps.scim.writes import (
    scim_group_delete,
    scim_group_write,
    scim_user_delete,
    scim_user_replace,
    scim_user_write,
)

CONTENT_TYPE = "application/scim+json"
MAX_BODY = discovery.BULK_MAX_BYTES


def scim_response(body: dict | None, status: int = 200, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(
        b"" if body is None else json.dumps(body),
        status=status,
        content_type=CONTENT_TYPE if body is not None else None,
    )
    if etag:
        response["ETag"] = etag
    return response


def scim_error_from(error: ApplicationError) -> ScimError:
    """A people service's refusal as SCIM says it (a conflict is a uniqueness error)."""
    kinds = {409: "uniqueness", 400: "invalidValue"}
    return ScimError(error.status, str(error.message), scim_type=kinds.get(error.status))


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2").rstrip("/")


def json_body(request: HttpRequest) -> dict:
    if len(request.body) > MAX_BODY:
        raise ScimError(413, "The request is too large.")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise ScimError(400, "The body is not JSON.", scim_type="invalidSyntax") from exc
    if not isinstance(body, dict):
        raise ScimError(400, "The body must be a JSON object.", scim_type="invalidSyntax")
    return canonical(body)


def scim_endpoint(methods: tuple[str, ...]) -> Callable:
    """Authenticate, dispatch by method, turn ScimError into SCIM's error body, log."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            address = client_address(request)
            token = None
            try:
                token = scim_token_authenticate(request.headers.get("Authorization", ""), address)
                # A plan without SCIM refuses every request, whatever tokens remain.
                entitlement_require("scim_tokens", adding=0)
                if request.method not in methods:
                    raise ScimError(405, f"{request.method} is not supported here.")
                response = view(request, *args, **kwargs)
                detail = ""
            except (ScimError, ApplicationError) as raised:
                error = raised if isinstance(raised, ScimError) else scim_error_from(raised)
                response = scim_response(error.body(), error.status)
                if error.status == 401:
                    response["WWW-Authenticate"] = 'Bearer realm="scim"'
                if getattr(error, "retry_after", None):
                    response["Retry-After"] = str(error.retry_after)
                detail = error.detail
            if response.status_code != 429:
                scim_request_log(
                    token=token,
                    method=request.method or "",
                    path=request.path,
                    status=response.status_code,
                    detail=detail,
                    address=address,
                )
            return response

        return wrapper

    return decorate


def _not_found(kind: str, resource_id: str) -> ScimError:
    return ScimError(404, f"No {kind} {resource_id}.")


def _one(query, resource_id: str, kind: str):
    if not resource_id.isdigit():
        raise _not_found(kind, resource_id)
    found = query.filter(pk=int(resource_id)).first()
    if found is None:
        raise _not_found(kind, resource_id)
    return found


def _check_if_match(request: HttpRequest, current: dict) -> None:
    wanted = request.headers.get("If-Match")
    if not wanted or wanted.strip() == "*":
        return
    versions = {tag.strip() for tag in wanted.split(",")}
    version = current["meta"]["version"]
    if version not in versions and version.removeprefix("W/") not in versions:
        raise ScimError(412, "The resource changed since you read it (If-Match).")


def _selected(request: HttpRequest, body: dict) -> dict:
    return listing.attributes_from_query(request, body)


@scim_endpoint(("GET",))
def service_provider_config(request: HttpRequest) -> HttpResponse:
    return scim_response(discovery.service_provider_config(base_url(request)))


@scim_endpoint(("GET",))
def resource_types(request: HttpRequest, resource_id: str | None = None) -> HttpResponse:
    documents = discovery.resource_types(base_url(request))
    return listing.discovery_answer(documents, resource_id)


@scim_endpoint(("GET",))
def schemas(request: HttpRequest, resource_id: str | None = None) -> HttpResponse:
    documents = discovery.schemas(base_url(request))
    return listing.discovery_answer(documents, resource_id)


KINDS = {
    "Users": ("User", users_query, user_resource, scim_user_write, scim_user_delete, "user"),
    "Groups": ("Group", groups_query, group_resource, scim_group_write, scim_group_delete, "group"),
}


def _collection(kind_name: str) -> Callable:
    _kind, query, represent, write, _delete, argument = KINDS[kind_name]

    @scim_endpoint(("GET", "POST"))
    def collection(request: HttpRequest) -> HttpResponse:
        base = base_url(request)
        if request.method == "GET":
            return scim_response(listing.list_answer(kind_name, request.GET.dict(), base))
        body = json_body(request)
        with transaction.atomic():
            made = write(**{argument: None, "body": body})
        resource = represent(query().get(pk=made.pk), base)
        response = scim_response(_selected(request, resource), 201, resource["meta"]["version"])
        response["Location"] = resource["meta"]["location"]
        return response

    return collection


def _search(kind_name: str | None) -> Callable:
    @scim_endpoint(("POST",))
    def search(request: HttpRequest) -> HttpResponse:
        body = json_body(request)
        params = {
            key: (",".join(value) if isinstance(value, list) else str(value))
            for key, value in body.items()
            if key != "schemas" and value is not None
        }
        if kind_name is None:
            return scim_response(listing.root_answer(params, base_url(request)))
        return scim_response(listing.list_answer(kind_name, params, base_url(request)))

    return search


def _item(kind_name: str) -> Callable:
    kind, query, represent, write, delete, argument = KINDS[kind_name]

    @scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
    def item(request: HttpRequest, resource_id: str) -> HttpResponse:
        base = base_url(request)
        found = _one(query(), resource_id, kind)
        current = represent(found, base)
        if request.method == "GET":
            if request.headers.get("If-None-Match") == current["meta"]["version"]:
                return scim_response(None, 304, current["meta"]["version"])
            return scim_response(_selected(request, current), etag=current["meta"]["version"])
        _check_if_match(request, current)
        if request.method == "DELETE":
            with transaction.atomic():
                delete(**{argument: found})
            return scim_response(None, 204)
        body = json_body(request)
        save = write
        if request.method == "PATCH":
            body = patch_apply(current, body)
        elif argument == "user":  # a PUT
            save = scim_user_replace
        with transaction.atomic():
            save(**{argument: found, "body": body})
        resource = represent(query().get(pk=found.pk), base)
        return scim_response(_selected(request, resource), etag=resource["meta"]["version"])

    return item


users = _collection("Users")
groups = _collection("Groups")
user = _item("Users")
group = _item("Groups")
users_search = _search("Users")
groups_search = _search("Groups")
root_search = _search(None)


@scim_endpoint(("POST",))
def bulk(request: HttpRequest) -> HttpResponse:
    body = json_body(request)
    return scim_response(bulk_run(body, base_url(request)))


@scim_endpoint(("GET", "POST", "PUT", "PATCH", "DELETE"))
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    raise ScimError(404, "No such SCIM endpoint.")
