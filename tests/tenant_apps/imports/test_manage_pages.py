"""The admin's import pages, at the client level: upload, mapping, dry run, confirmation,
apply, progress, results, rollback; other roles and other tenants' runs refused."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenant_apps.imports.models import ImportRun, RunStatus
from tenant_apps.people.models import Role, User
from tests.tenant_apps.imports.conftest import csv_upload, people_csv

BASE = "/manage/people-sync/imports/"


def _mapping_post(**overrides) -> dict:
    return {
        "column_email": "Email",
        "column_full_name": "Name",
        "column_external_id": "Id",
        "column_employee_number": "Number",
        "column_department": "Department",
        "column_groups": "Groups",
        "column_role": "Role",
        "key": "email",
        "groups_separator": ";",
        "deactivate_threshold_percent": "10",
        "change_threshold_percent": "30",
        **overrides,
    }


@pytest.fixture
def admin_page(portal, admin):
    return portal(admin)


def _upload(client, text) -> ImportRun:
    response = client.post(BASE, {"file": csv_upload(text)})
    assert response.status_code == 302, response.content
    run_id = int(response["Location"].rstrip("/").split("/")[-2])
    assert response["Location"] == f"{BASE}{run_id}/mapping/"
    return run_id


def test_the_whole_flow(admin_page, tenant_a, django_capture_on_commit_callbacks):
    text = people_csv(
        [
            ("new@example.com", "New Person", "E1", "1", "Ops", "A;B", "learner"),
            ("broken", "Broken", "", "", "", "", ""),
        ]
    )
    run_id = _upload(admin_page, text)
    page = admin_page.get(f"{BASE}{run_id}/mapping/")
    assert page.status_code == 200
    # The file's columns are offered, and preselected by name.
    assert '<option value="Email" selected>Email</option>' in page.content.decode()
    response = admin_page.post(f"{BASE}{run_id}/mapping/", _mapping_post())
    assert response.status_code == 302
    with schema_context(tenant_a.schema):
        assert not User.objects.filter(email="new@example.com").exists()
    page = admin_page.get(f"{BASE}{run_id}/").content.decode()
    assert "New Person" in page and "A, B" in page
    assert "&#x27;broken&#x27; is not an e-mail address." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_page.post(f"{BASE}{run_id}/apply/")
    assert response.status_code == 302
    with schema_context(tenant_a.schema):
        run = ImportRun.objects.get(pk=run_id)
        assert run.status == RunStatus.APPLIED
        assert User.objects.get(email="new@example.com").external_id == "E1"
    page = admin_page.get(f"{BASE}{run_id}/").content.decode()
    assert "Roll this import back" in page
    errors = admin_page.get(f"{BASE}{run_id}/errors.csv")
    assert errors.content.decode().splitlines()[1] == "3,,'broken' is not an e-mail address."
    with django_capture_on_commit_callbacks(execute=True):
        admin_page.post(f"{BASE}{run_id}/rollback/")
    with schema_context(tenant_a.schema):
        assert not User.objects.get(email="new@example.com").is_active
        assert ImportRun.objects.get(pk=run_id).status == RunStatus.ROLLED_BACK


def test_mapping_errors_are_shown_next_to_fields_and_what_was_typed_is_kept(admin_page):
    run_id = _upload(admin_page, people_csv([("a@example.com", "A", "", "", "", "", "")]))
    response = admin_page.post(
        f"{BASE}{run_id}/mapping/",
        _mapping_post(column_email="", groups_separator="", change_threshold_percent="250"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["change_threshold_percent"] == [
        "Ensure this value is less than or equal to 100."
    ]
    assert form["column_full_name"].value() == "Name"
    response = admin_page.post(f"{BASE}{run_id}/mapping/", _mapping_post(column_email=""))
    assert response.status_code == 400
    assert response.context["form"].errors["column_email"] == ["Map a column onto the key field."]


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02binary", b"\xff\xfe\x00garbage", b'Name\n"unclosed', b"a,a\n1,2"],
)
def test_no_file_gives_a_500(admin_page, data):
    response = admin_page.post(BASE, {"file": csv_upload(data)})
    assert response.status_code in {302, 400}
    if response.status_code == 302:  # readable as a CSV: the mapping page works too
        assert admin_page.get(response["Location"]).status_code == 200


def test_confirmation_past_the_threshold(
    admin_page, admin, make_person, tenant_a, django_capture_on_commit_callbacks
):
    for i in range(4):
        make_person(Role.LEARNER, email=f"p{i}@example.com")
    text = people_csv([("ada@example.com", "Ada Admin", "", "", "", "", "admin")])
    run_id = _upload(admin_page, text)
    admin_page.post(f"{BASE}{run_id}/mapping/", _mapping_post(full_sync="on"))
    page = admin_page.get(f"{BASE}{run_id}/").content.decode()
    assert "This import passes the safety threshold" in page
    response = admin_page.post(f"{BASE}{run_id}/apply/")
    assert response.status_code == 409
    assert response.context["form"].errors["confirm"] == ["Tick to confirm these changes."]
    with schema_context(tenant_a.schema):
        assert User.objects.filter(is_active=True).count() == 6
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_page.post(f"{BASE}{run_id}/apply/", {"confirm": "on"})
    assert response.status_code == 302
    with schema_context(tenant_a.schema):
        # Everyone missing from the file, the tenant's first admin included.
        assert list(User.objects.filter(is_active=True).values_list("email", flat=True)) == [
            "ada@example.com"
        ]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR, Role.CONTENT_CREATOR])
def test_other_roles_are_refused(portal, make_person, role):
    client = portal(make_person(role, email=f"{role}@example.com"))
    assert client.get(BASE).status_code == 403
    assert client.post(BASE, {"file": csv_upload("Email\na@example.com\n")}).status_code == 403
    assert client.get(f"{BASE}source/").status_code == 403
    assert client.post(f"{BASE}source/fetch/").status_code == 403


def test_another_tenants_run_is_a_404(admin_page, portal, make_person, tenant_b):
    run_id = _upload(admin_page, people_csv([("a@example.com", "A", "", "", "", "", "")]))
    other_admin = make_person(Role.ADMIN, tenant=tenant_b, email="boss@b.example.com")
    other = portal(other_admin, tenant=tenant_b)
    for suffix in ("", "mapping/", "errors.csv", "progress/"):
        assert other.get(f"{BASE}{run_id}/{suffix}").status_code == 404
    assert other.post(f"{BASE}{run_id}/apply/").status_code == 404
    assert other.post(f"{BASE}{run_id}/rollback/").status_code == 404


def test_the_dry_run_page_makes_a_bounded_number_of_queries(admin_page, tenant_a):
    rows = [(f"n{i}@example.com", f"N {i}", "", "", "", "G", "") for i in range(120)]
    run_id = _upload(admin_page, people_csv(rows))
    admin_page.post(f"{BASE}{run_id}/mapping/", _mapping_post())
    with CaptureQueriesContext(connection) as queries:
        page = admin_page.get(f"{BASE}{run_id}/")
    assert page.status_code == 200
    assert "n49@example.com" in page.content.decode()
    assert "n50@example.com" not in page.content.decode()  # 50 rows a page
    assert len(queries) < 25
    assert "n50@example.com" in admin_page.get(f"{BASE}{run_id}/?page=2").content.decode()


def test_progress_partial_for_htmx(admin_page, tenant_a):
    run_id = _upload(admin_page, people_csv([("a@example.com", "A", "", "", "", "", "")]))
    admin_page.post(f"{BASE}{run_id}/mapping/", _mapping_post())
    with schema_context(tenant_a.schema):
        ImportRun.objects.filter(pk=run_id).update(
            status=RunStatus.APPLYING, progress_total=10, progress_done=4
        )
    partial = admin_page.get(f"{BASE}{run_id}/progress/", HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert 'value="40"' in body and 'hx-trigger="every 2s"' in body
    assert admin_page.get(f"{BASE}{run_id}/progress/").status_code == 302  # no JS: the page
    page = admin_page.get(f"{BASE}{run_id}/").content.decode()
    assert "4 of 10 people" in page
