"""Colours on which no text reads are refused on save, naming the field and the ratios."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from core.errors import ValidationFailed
from tenant_apps.branding.contrast import contrast_ratio, text_on
from tenant_apps.branding.models import Branding
from tenant_apps.branding.services import branding_update
from tenant_apps.people.models import Role
from tests.snapshots import snapshot


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [("#ffffff", "#000000", 21.0), ("#ffffff", "#ffffff", 1.0), ("#3b5bdb", "#ffffff", 5.67)],
)
def test_contrast_ratios_are_wcags(first, second, ratio):
    assert round(contrast_ratio(first, second), 2) == ratio


def test_white_or_ink_whichever_reads_better():
    assert (text_on("#3B5BDB").text, text_on("#f59f00").text) == ("#ffffff", "#1f2933")


def test_a_mid_grey_is_refused_naming_the_field_and_the_ratios(in_tenant_a):
    with pytest.raises(ValidationFailed) as refused:
        branding_update(primary_colour="#808080", actor=None)
    assert refused.value.code.value == "colour_contrast_too_low"
    assert [(d.field, d.message) for d in refused.value.details] == [
        (
            "primary_colour",
            "Neither white text (3.9:1) nor dark text (3.7:1) reads on #808080; choose a "
            "colour on which one of them reaches 4.5:1.",
        )
    ]


def test_the_api_refuses_it_and_nothing_changes(api, make_person, tenant_a):
    admin = make_person(Role.ADMIN)
    before = snapshot(Branding, tenant=tenant_a)
    response = api(admin).patch(
        "/api/v1/settings/branding", {"primary_colour": "#3b5bdb", "accent_colour": "#7f7f7f"}
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert (body["code"], [d["field"] for d in body["details"]]) == (
        "colour_contrast_too_low",
        ["accent_colour"],
    )
    assert snapshot(Branding, tenant=tenant_a) == before
    with schema_context(tenant_a.schema):
        assert not Branding.objects.exists()
