"""/Bulk (RFC 7644 §3.7): operations in order, `bulkId` references resolved, stopping
after `failOnErrors` errors. People are written in one transaction per request, each
operation in a savepoint of its own."""

from __future__ import annotations

import json
import re

from django.db import transaction

from core.errors import ApplicationError
from tenant_apps.scim.bulk_create import batchable, users_post_batch
from tenant_apps.scim.discovery import BULK_MAX_OPERATIONS
from tenant_apps.scim.errors import ScimError
from tenant_apps.scim.patch import patch_apply
from tenant_apps.scim.resources import (
    BULK_RESPONSE,
    group_resource,
    groups_query,
    user_resource,
    users_query,
)
from tenant_apps.scim.writes import (
    scim_group_delete,
    scim_group_write,
    scim_user_delete,
    scim_user_replace,
    scim_user_write,
)

_REFERENCE = re.compile(r"bulkId:([A-Za-z0-9_.\-]+)")
ENDPOINTS = {
    "users": ("Users", users_query, user_resource, scim_user_write, scim_user_delete, "user"),
    "groups": (
        "Groups",
        groups_query,
        group_resource,
        scim_group_write,
        scim_group_delete,
        "group",
    ),
}


def _resolve(value, ids: dict[str, str]):
    text = json.dumps(value)

    def swap(match: re.Match) -> str:
        if match.group(1) not in ids:
            raise ScimError(409, f"bulkId {match.group(1)} is unknown.", scim_type="invalidValue")
        return ids[match.group(1)]

    return json.loads(_REFERENCE.sub(swap, text))


def _operation(operation: dict, ids: dict[str, str], base_url: str) -> tuple[int, str | None]:
    method = str(operation.get("method", "")).upper()
    path = _resolve(str(operation.get("path", "")), ids).strip("/")
    kind_name, _, resource_id = path.partition("/")
    endpoint = ENDPOINTS.get(kind_name.lower())
    if endpoint is None:
        raise ScimError(400, f"Cannot bulk {path!r}.", scim_type="invalidPath")
    name, query, represent, write, delete, argument = endpoint
    data = _resolve(operation.get("data"), ids) if operation.get("data") is not None else None
    if method == "POST" and not resource_id:
        if not isinstance(data, dict):
            raise ScimError(400, "POST needs data.", scim_type="invalidSyntax")
        made = write(**{argument: None, "body": data})
        return 201, f"{base_url}/{name}/{made.pk}"
    if not resource_id.isdigit():
        raise ScimError(404, f"No {path}.")
    found = query().filter(pk=int(resource_id)).first()
    if found is None:
        raise ScimError(404, f"No {path}.")
    location = f"{base_url}/{name}/{found.pk}"
    version = operation.get("version")
    stale = version and represent(found, base_url)["meta"]["version"] != version
    if stale and method in ("PUT", "PATCH", "DELETE"):
        raise ScimError(412, "The resource changed (version).")
    if method == "DELETE":
        delete(**{argument: found})
        return 204, location
    if method == "PUT" and isinstance(data, dict):
        replace = scim_user_replace if argument == "user" else write
        replace(**{argument: found, "body": data})
        return 200, location
    if method == "PATCH" and isinstance(data, dict):
        write(**{argument: found, "body": patch_apply(represent(found, base_url), data)})
        return 200, location
    raise ScimError(400, f"Cannot {method} {path}.", scim_type="invalidSyntax")


def scim_error_from(error: ApplicationError) -> ScimError:
    kinds = {409: "uniqueness", 400: "invalidValue"}
    return ScimError(error.status, str(error.message), scim_type=kinds.get(error.status))


def _answer_one(operation: dict, ids: dict[str, str], base_url: str) -> dict:
    answer = {"method": str(operation.get("method", "")).upper()}
    if operation.get("bulkId"):
        answer["bulkId"] = str(operation["bulkId"])
    try:
        with transaction.atomic():
            status, location = _operation(operation, ids, base_url)
    except (ScimError, ApplicationError) as raised:
        error = raised if isinstance(raised, ScimError) else scim_error_from(raised)
        answer["status"] = str(error.status)
        answer["response"] = error.body()
        return answer
    if location:
        answer["location"] = location
        if operation.get("bulkId"):
            ids[str(operation["bulkId"])] = location.rsplit("/", 1)[-1]
    answer["status"] = str(status)
    return answer


def _batch(run: list[dict], ids: dict[str, str], answers: list, base_url: str) -> bool:
    """Create a run of POST /Users at once; False (nothing done) when the batch as a whole
    is refused, for the operations to go one by one."""
    try:
        with transaction.atomic():
            outcomes = users_post_batch([operation["data"] for operation in run])
    except (ScimError, ApplicationError):
        return False
    for operation, outcome in zip(run, outcomes, strict=True):
        answer = {"method": "POST"}
        if operation.get("bulkId"):
            answer["bulkId"] = str(operation["bulkId"])
        if isinstance(outcome, ScimError):
            answer["status"] = str(outcome.status)
            answer["response"] = outcome.body()
        else:
            answer["status"] = "201"
            answer["location"] = f"{base_url}/Users/{outcome.pk}"
            if operation.get("bulkId"):
                ids[str(operation["bulkId"])] = str(outcome.pk)
        answers.append(answer)
    return True


def bulk_run(body: dict, base_url: str) -> dict:
    operations = body.get("Operations")
    if not isinstance(operations, list):
        raise ScimError(400, "Bulk needs Operations.", scim_type="invalidSyntax")
    if len(operations) > BULK_MAX_OPERATIONS:
        raise ScimError(413, f"At most {BULK_MAX_OPERATIONS} operations per request.")
    fail_on_errors = body.get("failOnErrors")
    errors = 0
    ids: dict[str, str] = {}
    answers = []
    position = 0
    with transaction.atomic():
        while position < len(operations):
            operation = operations[position]
            if not isinstance(operation, dict):
                raise ScimError(400, "Each operation must be an object.", "invalidSyntax")
            if not fail_on_errors and batchable(operation):
                run = [operation]
                while position + len(run) < len(operations) and batchable(
                    operations[position + len(run)]
                ):
                    run.append(operations[position + len(run)])
                if _batch(run, ids, answers, base_url):
                    position += len(run)
                    continue
            answer = _answer_one(operation, ids, base_url)
            answers.append(answer)
            position += 1
            if answer["status"].startswith(("4", "5")):
                errors += 1
                if isinstance(fail_on_errors, int) and 0 < fail_on_errors <= errors:
                    break
    return {"schemas": [BULK_RESPONSE], "Operations": answers}
