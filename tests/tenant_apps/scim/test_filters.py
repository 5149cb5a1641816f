"""The SCIM filter parser: every operator, precedence and grouping, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tenant_apps.scim.errors import ScimError
from tenant_apps.scim.filters import Compare, Logical, Not, filter_matches, filter_parse
from tests.tenant_apps.scim.conftest import new_user


def test_and_binds_tighter_than_or_and_parentheses_regroup():
    tree = filter_parse('a eq "1" or b eq "2" and c eq "3"')
    assert tree == Logical(
        "or",
        Compare("a", "eq", "1"),
        Logical("and", Compare("b", "eq", "2"), Compare("c", "eq", "3")),
    )
    grouped = filter_parse('(a eq "1" or b eq "2") AND not (c pr)')
    assert grouped == Logical(
        "and",
        Logical("or", Compare("a", "eq", "1"), Compare("b", "eq", "2")),
        Not(Compare("c", "pr")),
    )
    assert filter_parse("active eq True") == Compare("active", "eq", True)


@pytest.mark.parametrize("text", ["", "a eq", 'a eq "1" and', "not a pr", '(a eq "1"', "a zz 1"])
def test_malformed_filters_are_invalid(text):
    with pytest.raises(ScimError) as raised:
        filter_parse(text)
    assert raised.value.status == 400 and raised.value.scim_type == "invalidFilter"


def test_value_paths_match_items():
    tree = filter_parse('type eq "work" and value ew "@example.com"')
    assert filter_matches(tree, {"type": "Work", "value": "a@example.com"})
    assert not filter_matches(tree, {"type": "home", "value": "a@example.com"})


def _ids(scim, text: str) -> set[str]:
    answer = scim.get("/Users", filter=text)
    assert answer.status_code == 200, answer.content
    return {r["userName"] for r in answer.json()["Resources"]}


def test_each_operator_on_users(scim):
    scim.post("/Users", new_user("ann@one.example", displayName="Ann Archer", externalId="E1"))
    scim.post("/Users", new_user("bob@two.example", displayName="Bob Baker", active=False))
    scim.post("/Users", new_user("cy@one.example", name={"givenName": "Cy", "familyName": "Cole"}))
    all_three = {"ann@one.example", "bob@two.example", "cy@one.example"}
    assert _ids(scim, 'userName eq "ANN@one.example"') == {"ann@one.example"}
    others = _ids(scim, 'userName ne "ann@one.example"')
    assert "ann@one.example" not in others and others >= all_three - {"ann@one.example"}
    assert _ids(scim, 'emails.value co "one"') == {"ann@one.example", "cy@one.example"}
    assert _ids(scim, 'emails[value sw "bob"]') == {"bob@two.example"}
    assert _ids(scim, 'userName ew "two.example"') == {"bob@two.example"}
    assert _ids(scim, "externalId pr") == {"ann@one.example"}
    assert _ids(scim, 'name.familyName eq "cole"') == {"cy@one.example"}
    assert _ids(scim, 'displayName sw "Bob"') == {"bob@two.example"}
    assert _ids(scim, "active eq false") == {"bob@two.example"}
    assert _ids(scim, 'not (active eq false) and (userName sw "an" or userName sw "c")') == {
        "ann@one.example",
        "cy@one.example",
    }
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert _ids(scim, f'meta.lastModified gt "{past}"') >= all_three
    assert (
        _ids(scim, f'meta.lastModified ge "{past}" and meta.lastModified lt "{future}"')
        >= all_three
    )
    assert _ids(scim, f'meta.lastModified le "{past}"').isdisjoint(all_three)
    bad = scim.get("/Users", filter='meta.lastModified gt "yesterday"')
    assert bad.status_code == 400 and bad.json()["scimType"] == "invalidFilter"
