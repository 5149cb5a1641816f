"""The tenant admin's dashboard page (`/manage/`): the admin dashboard selector's figures,
each chart's data passed as JSON for the static script and given as a table too."""

from __future__ import annotations

import json
import re

from django_tenants.utils import schema_context

from tenant_apps.enrollments.services import enrollment_self_enroll
from tenant_apps.people.models import Role
from tests.builders import course_build


def test_only_admins_open_the_dashboard(portal, school, make_person):
    assert portal(school["admin"]).get("/manage/").status_code == 200
    for role in (Role.LEARNER, Role.INSTRUCTOR, Role.CONTENT_CREATOR):
        assert portal(make_person(role)).get("/manage/").status_code == 403, role


def test_figures_charts_and_tables(portal, school):
    response = portal(school["admin"]).get("/manage/")
    page = response.content.decode()
    dashboard = response.context["dashboard"]
    # Ivan, Cora, Ada, Lena, Sam, Noor and the tenant's first admin.
    assert dashboard.people_active == 7
    assert dashboard.learners_active_30d == 2  # Lena and Sam touched lessons
    assert response.context["enrollments_live"] == 4
    assert response.context["completions_in_window"] == 1
    charts = json.loads(
        re.search(
            r'<script id="dashboard-charts" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    assert charts["statuses"]["series"][0]["values"] == [0, 3, 1, 0]
    assert sum(charts["days"]["series"][0]["values"]) == 4
    assert len(charts["days"]["labels"]) == 30
    assert page.count('role="img"') == 3
    assert page.count("<summary>Show as a table</summary>") == 3
    assert "vendor/chart.umd.min.js" in page and "core/charts.js" in page
    assert "<script>" not in page  # nothing inline: the CSP forbids it
    assert "completed Basics" in page  # the recent activity


def test_queries_do_not_grow_with_data(
    portal, school, tenant_a, make_person, django_assert_max_num_queries
):
    client = portal(school["admin"])
    client.get("/manage/")
    with django_assert_max_num_queries(16):
        client.get("/manage/")
    with schema_context(tenant_a.schema):
        for number in range(5):
            course = course_build(owner=school["ivan"], title=f"More {number}")
            for person in range(6):
                learner = make_person(email=f"more{number}-{person}@example.com")
                enrollment_self_enroll(user=learner, course=course)
    with django_assert_max_num_queries(16):
        response = client.get("/manage/")
    assert response.context["enrollments_live"] == 34
    assert len(response.context["dashboard"].recent_activity) == 10
