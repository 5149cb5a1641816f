"""SCIM filters (RFC 7644 §3.4.2.2): a parser into a small tree, compiled either to a
Django Q object (list queries) or to a predicate on JSON values (PATCH value paths such as
`members[value eq "7"]`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from tenant_apps.scim.errors import ScimError

COMPARISONS = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}


@dataclass(frozen=True)
class Compare:
    path: str  # as written, e.g. "emails.value", "name.givenName"
    op: str  # lower case: eq ne co sw ew gt ge lt le pr
    value: object = None


@dataclass(frozen=True)
class Logical:
    op: str  # "and" | "or"
    left: object
    right: object


@dataclass(frozen=True)
class Not:
    inner: object


@dataclass(frozen=True)
class ValuePath:
    """`emails[type eq "work"]` inside a filter: some item of `path` matches `inner`."""

    path: str
    inner: object


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<lparen>\() | (?P<rparen>\))
    | (?P<lbracket>\[) | (?P<rbracket>\])
    | (?P<word>[A-Za-z0-9_:.$\-+]+)
    )""",
    re.VERBOSE,
)


def _invalid(detail: str) -> ScimError:
    return ScimError(400, detail, scim_type="invalidFilter")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise _invalid(f"Cannot read the filter at position {position}.")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, kind: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (kind and token[0] != kind):
            raise _invalid("The filter ends too early or is malformed.")
        self.at += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() in words:
            self.at += 1
            return token[1].lower()
        return None

    def parse(self):
        if not self.tokens:
            raise _invalid("The filter is empty.")
        tree = self.or_expression()
        if self.peek() is not None:
            raise _invalid(f"Unexpected {self.peek()[1]!r} in the filter.")
        return tree

    def or_expression(self):
        tree = self.and_expression()
        while self.keyword("or"):
            tree = Logical("or", tree, self.and_expression())
        return tree

    def and_expression(self):
        tree = self.unary()
        while self.keyword("and"):
            tree = Logical("and", tree, self.unary())
        return tree

    def unary(self):
        if self.keyword("not"):
            token = self.peek()
            if token is None or token[0] != "lparen":
                raise _invalid("'not' must be followed by a parenthesised filter.")
            return Not(self.unary())
        token = self.peek()
        if token and token[0] == "lparen":
            self.take("lparen")
            tree = self.or_expression()
            self.take("rparen")
            return tree
        return self.attribute_expression()

    def attribute_expression(self):
        kind, path = self.take()
        if kind != "word":
            raise _invalid(f"Expected an attribute name, found {path!r}.")
        token = self.peek()
        if token and token[0] == "lbracket":
            self.take("lbracket")
            inner = self.or_expression()
            self.take("rbracket")
            return ValuePath(path, inner)
        operator = self.keyword("pr", *COMPARISONS)
        if operator is None:
            found = self.peek()[1] if self.peek() else "the end"
            raise _invalid(f"Expected an operator after {path}, found {found!r}.")
        if operator == "pr":
            return Compare(path, "pr")
        kind, raw = self.take()
        if kind == "string":
            try:
                value: object = json.loads(raw)
            except ValueError as exc:
                raise _invalid(f"Malformed string {raw}.") from exc
        elif kind == "word" and raw.lower() in ("true", "false", "null"):
            value = {"true": True, "false": False, "null": None}[raw.lower()]
        elif kind == "word" and re.fullmatch(r"-?\d+(\.\d+)?", raw):
            value = float(raw) if "." in raw else int(raw)
        else:
            raise _invalid(f"Expected a value after {path} {operator}, found {raw!r}.")
        return Compare(path, operator, value)


def filter_parse(text: str):
    """The tree of a SCIM filter; ScimError 400 invalidFilter when it is malformed."""
    if len(text) > 4000:
        raise _invalid("The filter is too long.")
    return _Parser(text).parse()


# ---- to Django Q objects --------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """How one SCIM attribute is queried: the lookups it may be found in (any of them),
    whether its values compare with case, and its kind (text, bool, date)."""

    lookups: tuple[str, ...]
    case_exact: bool = False
    kind: str = "text"
    # Extra condition for each lookup (same length as lookups), e.g. "no SCIM profile".
    conditions: tuple[Q | None, ...] = ()


def _typed(field: Field, value: object) -> object:
    if field.kind == "bool":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise _invalid("Compare this attribute with true or false.")
        return value
    if field.kind == "date":
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if not isinstance(parsed, datetime):
            raise _invalid("Compare this attribute with a date-time such as 2026-01-31T00:00:00Z.")
        return parsed
    if not isinstance(value, str | int | float):
        raise _invalid("Compare this attribute with a string.")
    return str(value)


def _lookup_q(lookup: str, field: Field, op: str, value: object) -> Q:
    if op == "pr":
        if field.kind == "text":
            return Q(**{f"{lookup}__isnull": False}) & ~Q(**{lookup: ""})
        return Q(**{f"{lookup}__isnull": False})
    typed = _typed(field, value)
    if typed is None:
        return Q(**{f"{lookup}__isnull": True})
    insensitive = "" if field.case_exact else "i"
    if field.kind == "text":
        suffix = {
            "eq": f"{insensitive}exact",
            "ne": f"{insensitive}exact",
            "co": f"{insensitive}contains",
            "sw": f"{insensitive}startswith",
            "ew": f"{insensitive}endswith",
            "gt": "gt",
            "ge": "gte",
            "lt": "lt",
            "le": "lte",
        }[op]
    else:
        if op in ("co", "sw", "ew"):
            raise _invalid(f"'{op}' compares strings only.")
        suffix = {"eq": "exact", "ne": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}[
            op
        ]
    condition = Q(**{f"{lookup}__{suffix}": typed})
    return ~condition if op == "ne" else condition


def filter_q(tree, fields: dict[str, Field]) -> Q:
    """A Q object selecting what `tree` matches; attribute names compare without case
    (`fields` is keyed by lower-case path). Unknown attributes: 400 invalidFilter."""
    if isinstance(tree, Logical):
        left, right = filter_q(tree.left, fields), filter_q(tree.right, fields)
        return (left & right) if tree.op == "and" else (left | right)
    if isinstance(tree, Not):
        return ~filter_q(tree.inner, fields)
    if isinstance(tree, ValuePath):
        inner = tree.inner
        prefixed = _prefix(inner, tree.path)
        return filter_q(prefixed, fields)
    field = fields.get(_normal_path(tree.path))
    if field is None:
        raise _invalid(f"Cannot filter on {tree.path}.")
    combined = Q(pk__in=[])
    for index, lookup in enumerate(field.lookups):
        part = _lookup_q(lookup, field, tree.op, tree.value)
        extra = field.conditions[index] if index < len(field.conditions) else None
        combined |= (part & extra) if extra is not None else part
    return combined


def _prefix(tree, path: str):
    if isinstance(tree, Logical):
        return Logical(tree.op, _prefix(tree.left, path), _prefix(tree.right, path))
    if isinstance(tree, Not):
        return Not(_prefix(tree.inner, path))
    if isinstance(tree, Compare):
        return Compare(f"{path}.{tree.path}", tree.op, tree.value)
    raise _invalid("Nested brackets are not supported.")


USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:user"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:group"


def _normal_path(path: str) -> str:
    """Lower case, without the core schema's URN prefix."""
    lowered = path.lower()
    for urn in (USER_SCHEMA, GROUP_SCHEMA):
        if lowered.startswith(urn + ":"):
            return lowered[len(urn) + 1 :]
    return lowered


# ---- on JSON values (PATCH value paths) ------------------------------------------------


def _get_ci(item: object, name: str) -> object:
    if not isinstance(item, dict):
        return None
    for key, value in item.items():
        if key.lower() == name.lower():
            return value
    return None


def _compare_value(actual: object, op: str, expected: object) -> bool:
    if op == "pr":
        return actual not in (None, "", [], {})
    if isinstance(actual, bool) or isinstance(expected, bool):
        if isinstance(actual, str):
            actual = actual.lower() == "true"
        if isinstance(expected, str):
            expected = expected.lower() == "true"
        return {"eq": actual == expected, "ne": actual != expected}.get(op, False)
    left = "" if actual is None else str(actual).lower()
    right = "" if expected is None else str(expected).lower()
    checks: dict[str, Callable[[], bool]] = {
        "eq": lambda: left == right,
        "ne": lambda: left != right,
        "co": lambda: right in left,
        "sw": lambda: left.startswith(right),
        "ew": lambda: left.endswith(right),
        "gt": lambda: left > right,
        "ge": lambda: left >= right,
        "lt": lambda: left < right,
        "le": lambda: left <= right,
    }
    return checks[op]()


def filter_matches(tree, item: object) -> bool:
    """Whether the JSON object `item` (an element of a multi-valued attribute) matches."""
    if isinstance(tree, Logical):
        if tree.op == "and":
            return filter_matches(tree.left, item) and filter_matches(tree.right, item)
        return filter_matches(tree.left, item) or filter_matches(tree.right, item)
    if isinstance(tree, Not):
        return not filter_matches(tree.inner, item)
    if isinstance(tree, ValuePath):
        values = _get_ci(item, tree.path)
        return isinstance(values, list) and any(filter_matches(tree.inner, v) for v in values)
    value = item
    for part in tree.path.split("."):
        value = _get_ci(value, part)
    return _compare_value(value, tree.op, tree.value)
