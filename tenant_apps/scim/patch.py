"""PATCH (RFC 7644 §3.5.2) applied to a resource's JSON, and attribute names made
canonical whatever their case. Real clients' quirks are accepted: Entra's capitalised
operation names, `"True"`/`"False"` strings, `replace` without a path carrying an object
whose keys are paths; Okta's `members` removals carrying values."""

from __future__ import annotations

import copy

from tenant_apps.scim.errors import ScimError
from tenant_apps.scim.filters import filter_matches, filter_parse
from tenant_apps.scim.resources import ENTERPRISE, GROUP, USER

_NAMES = (
    "schemas id externalId userName name givenName familyName formatted middleName "
    "displayName emails value type primary active groups members display meta "
    "employeeNumber costCenter organization department manager password $ref "
    "Operations op path nickName title locale timezone"
)
CANONICAL = {name.lower(): name for name in _NAMES.split()}


def canonical(value):
    """`value` with known attribute names spelled as the schemas spell them."""
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        lowered = key.lower()
        if lowered == ENTERPRISE.lower():
            name = ENTERPRISE
        elif lowered.startswith(ENTERPRISE.lower() + ":"):
            name = ENTERPRISE + ":" + CANONICAL.get(lowered[len(ENTERPRISE) + 1 :], key)
        else:
            name = CANONICAL.get(lowered, key)
        result[name] = canonical(item)
    return result


def _bad_path(path: str) -> ScimError:
    return ScimError(400, f"Cannot apply the path {path!r}.", scim_type="invalidPath")


def _split(path: str):
    """(container key or None for the top level, attribute, filter tree or None, sub)."""
    lowered = path.lower()
    container = None
    rest = path
    if lowered == ENTERPRISE.lower():
        return None, ENTERPRISE, None, None
    if lowered.startswith(ENTERPRISE.lower() + ":"):
        container, rest = ENTERPRISE, path[len(ENTERPRISE) + 1 :]
    else:
        for urn in (USER, GROUP):
            if lowered.startswith(urn.lower() + ":"):
                rest = path[len(urn) + 1 :]
    tree = None
    sub = None
    if "[" in rest:
        attribute, _, remainder = rest.partition("[")
        inner, closing, after = remainder.rpartition("]")
        if not closing:
            raise _bad_path(path)
        tree = filter_parse(inner)
        if after:
            if not after.startswith("."):
                raise _bad_path(path)
            sub = after[1:]
    else:
        attribute, _, sub = rest.partition(".")
        sub = sub or None
    attribute = CANONICAL.get(attribute.lower(), attribute)
    sub = CANONICAL.get(sub.lower(), sub) if sub else None
    if not attribute:
        raise _bad_path(path)
    return container, attribute, tree, sub


def _key_ci(target: dict, name: str) -> str:
    return next((k for k in target if k.lower() == name.lower()), name)


def _items_equal(left, right) -> bool:
    if isinstance(left, dict) and isinstance(right, dict) and "value" in left and "value" in right:
        return str(left["value"]) == str(right["value"])
    return left == right


def _apply_one(body: dict, op: str, path: str | None, value) -> None:
    if path is None:
        if op == "remove":
            raise ScimError(400, "A remove needs a path.", scim_type="noTarget")
        if not isinstance(value, dict):
            raise ScimError(400, "Without a path the value must be an object.", "invalidValue")
        for key, item in value.items():
            if key.lower() == "schemas":
                continue
            if key == ENTERPRISE and isinstance(item, dict):
                for sub_key, sub_item in item.items():
                    _apply_one(body, op, f"{ENTERPRISE}:{sub_key}", sub_item)
                continue
            if isinstance(item, dict) and op == "replace" and "." not in key:
                existing = body.get(_key_ci(body, key))
                if isinstance(existing, dict):  # replace name: {...} keeps other sub-attributes
                    merged = dict(existing)
                    merged.update(item)
                    item = merged
            _apply_one(body, op, key, item)
        return
    container_key, attribute, tree, sub = _split(path)
    target = body
    if container_key:
        target = body.setdefault(container_key, {})
    key = _key_ci(target, attribute)
    if tree is None:
        if sub is None:
            if op == "remove":
                if isinstance(value, list) and isinstance(target.get(key), list):
                    target[key] = [
                        item
                        for item in target[key]
                        if not any(_items_equal(item, gone) for gone in value)
                    ]
                else:
                    target.pop(key, None)
            elif op == "add" and isinstance(target.get(key), list):
                additions = value if isinstance(value, list) else [value]
                for item in additions:
                    if not any(_items_equal(item, have) for have in target[key]):
                        target[key].append(item)
            elif op == "add" and isinstance(target.get(key), dict) and isinstance(value, dict):
                target[key].update(value)
            else:
                target[key] = value
            return
        parent = target.get(key)
        if isinstance(parent, list):  # emails.value: every item
            for item in parent:
                if op == "remove":
                    item.pop(sub, None)
                else:
                    item[sub] = value
            return
        parent = target.setdefault(key, {}) if parent is None else parent
        if not isinstance(parent, dict):
            raise _bad_path(path)
        if op == "remove":
            parent.pop(_key_ci(parent, sub), None)
        else:
            parent[_key_ci(parent, sub)] = value
        return
    items = target.get(key)
    if items is None:
        items = target[key] = []
    if not isinstance(items, list):
        raise _bad_path(path)
    matching = [item for item in items if filter_matches(tree, item)]
    if op == "remove":
        if sub is None:
            target[key] = [item for item in items if item not in matching]
        else:
            for item in matching:
                item.pop(_key_ci(item, sub), None)
        return
    if not matching:
        if op == "replace" and sub is None:
            raise ScimError(400, f"Nothing matches {path!r}.", scim_type="noTarget")
        created = _item_from_filter(tree)
        items.append(created)
        matching = [created]
    for item in matching:
        if sub is None:
            if isinstance(value, dict):
                item.update(value)
            else:
                raise ScimError(400, "The value must be an object.", scim_type="invalidValue")
        else:
            item[_key_ci(item, sub)] = value


def _item_from_filter(tree) -> dict:
    """A new item from an `eq` filter (`emails[type eq "work"]` → {"type": "work"})."""
    from tenant_apps.scim.filters import Compare, Logical

    if isinstance(tree, Compare) and tree.op == "eq":
        return {CANONICAL.get(tree.path.lower(), tree.path): tree.value}
    if isinstance(tree, Logical) and tree.op == "and":
        return {**_item_from_filter(tree.left), **_item_from_filter(tree.right)}
    raise ScimError(400, "Nothing matches the filter to change.", scim_type="noTarget")


def patch_apply(resource: dict, request_body: dict) -> dict:
    """The resource after the PatchOp `request_body`'s operations (a new dict)."""
    request_body = canonical(request_body)
    operations = request_body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "A PATCH needs Operations.", scim_type="invalidSyntax")
    body = copy.deepcopy(resource)
    body.pop("meta", None)
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, "Each operation must be an object.", scim_type="invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, f"Unknown operation {op!r}.", scim_type="invalidSyntax")
        path = operation.get("path") or None
        value = canonical(operation.get("value"))
        if op != "remove" and value is None:
            raise ScimError(400, "The operation needs a value.", scim_type="invalidValue")
        _apply_one(body, op, path, value)
    return body
