"""Dry runs, the safety threshold, applying and rolling back, through the services."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import ApplicationError
from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.imports.models import ImportChange, RunStatus
from tenant_apps.imports.services.applying import (
    run_apply,
    run_apply_queue,
    run_rollback,
    run_rollback_queue,
)
from tenant_apps.imports.services.planning import run_plan, run_upload
from tenant_apps.people.models import LearnerGroup, Role, User
from tenant_apps.people.services import user_reactivate, user_remove
from tenant_apps.people.services.groups import group_members_set, group_save
from tenant_apps.people.services.people import user_create
from tests.tenant_apps.imports.conftest import csv_upload, people_csv

# The tenant's owner, made when the tenant was provisioned.
OWNER_ROW = ("admin@alpha.example.com", "", "", "", "", "", "")


def _people_state() -> list[tuple]:
    return sorted(
        (
            u.email,
            u.full_name,
            u.external_id,
            u.employee_number,
            u.role,
            u.is_active,
            sorted(g.name for g in u.learner_groups.all()),
        )
        for u in User.objects.prefetch_related("learner_groups")
    )


@pytest.fixture
def staff(in_tenant_a, admin):
    """Ten people already in the tenant, two in the Sales department."""
    people = [
        user_create(email=f"p{i}@example.com", full_name=f"Person {i}", actor=admin)
        for i in range(10)
    ]
    sales = group_save(name="Sales", kind="department", actor=admin)
    group_members_set(group=sales, add=[people[0].pk, people[1].pk], remove=[], actor=admin)
    return people


def _apply(run, admin, confirm=False):
    run_apply_queue(run=run, actor=admin, confirm=confirm)
    return run_apply(run_id=run.pk, actor_id=admin.pk)


def test_dry_run_computes_the_diff_and_changes_nothing(staff, admin, standard_mapping):
    standard_mapping()
    text = people_csv(
        [
            ("p0@example.com", "Person 0", "E0", "100", "Sales", "", "learner"),
            ("P1@example.com", "Person One", "E1", "101", "Sales", "Readers;Writers", "learner"),
            ("new@example.com", "New Person", "E9", "900", "Support", "Readers", "instructor"),
            ("bad-address", "Bad", "E8", "", "", "", ""),
            ("p2@example.com", "Person 2", "E2", "", "", "", "wizard"),
        ]
    )
    before = _people_state()
    run = run_upload(upload=csv_upload(text), actor=admin)
    run = run_plan(run=run, actor=admin)
    assert _people_state() == before
    assert run.status == RunStatus.PLANNED
    assert run.counts == {
        "create": 1,
        "update": 2,
        "deactivate": 0,
        "reactivate": 0,
        "unchanged": 0,
        "errors": 2,
    }
    assert run.errors == [
        {"line": 5, "reason": "'bad-address' is not an e-mail address."},
        {"line": 6, "reason": "'wizard' is not a role."},
    ]
    by_line = {row["line"]: row for row in run.diff}
    assert by_line[3]["changes"] == {
        "full_name": ["Person 1", "Person One"],
        "external_id": ["", "E1"],
        "employee_number": ["", "101"],
        "groups": [[], ["Readers", "Writers"]],
    }
    assert by_line[4]["kind"] == "create"
    assert not LearnerGroup.objects.filter(name="Readers").exists()


def test_apply_creates_updates_and_skips_error_rows_with_their_lines(
    staff, admin, standard_mapping
):
    standard_mapping()
    text = people_csv(
        [
            (
                "p1@example.com",
                "Person One",
                "E1",
                "101",
                "Support",
                "Readers;Writers",
                "instructor",
            ),
            ("new@example.com", "New Person", "E9", "900", "Support", "Readers", ""),
            ("p2@example.com", "Person 2", "E1", "", "", "", ""),  # E1 is taken by line 2
        ]
    )
    run = run_plan(run=run_upload(upload=csv_upload(text), actor=admin), actor=admin)
    run = _apply(run, admin)
    assert run.status == RunStatus.APPLIED
    assert run.counts["create"] == 1 and run.counts["update"] == 1
    assert run.errors == [
        {
            "line": 4,
            "key": "p2@example.com",
            "reason": "Another person already has this e-mail or external id.",
        }
    ]
    p1 = User.objects.get(email="p1@example.com")
    assert (p1.full_name, p1.external_id, p1.employee_number, p1.role) == (
        "Person One",
        "E1",
        "101",
        Role.INSTRUCTOR,
    )
    assert sorted(g.name for g in p1.learner_groups.all()) == ["Readers", "Support", "Writers"]
    assert p1.attribute_sources == {
        "full_name": "import",
        "external_id": "import",
        "employee_number": "import",
        "department": "import",
        "groups": "import",
        "role": "import",
    }
    new = User.objects.get(email="new@example.com")
    assert (new.full_name, new.external_id, new.role, new.is_active) == (
        "New Person",
        "E9",
        Role.LEARNER,
        True,
    )
    assert LearnerGroup.objects.get(name="Support").kind == "department"
    assert User.objects.get(email="p2@example.com").external_id == ""
    assert sorted(ImportChange.objects.filter(run=run).values_list("kind", flat=True)) == [
        "create",
        "update",
    ]
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT_APPLIED).count() == 1


def test_full_sync_past_the_threshold_is_refused_until_confirmed(staff, admin, standard_mapping):
    standard_mapping(full_sync=True)
    # Only p0..p7 and the admins are in the file: p8 and p9 are missing (2 of 12, > 10 %).
    rows = [
        (f"p{i}@example.com", f"Person {i}", "", "", "Sales" if i < 2 else "", "", "")
        for i in range(8)
    ]
    rows.append(("ada@example.com", "Ada Admin", "", "", "", "", "admin"))
    rows.append(OWNER_ROW)
    run = run_plan(run=run_upload(upload=csv_upload(people_csv(rows)), actor=admin), actor=admin)
    assert run.counts["deactivate"] == 2
    assert run.needs_confirmation
    assert run.threshold_reasons == ["It deactivates 16.7 % of active people (the limit is 10 %)."]
    with pytest.raises(ApplicationError) as refused:
        run_apply_queue(run=run, actor=admin)
    assert refused.value.code.value == "import_confirmation_needed"
    run.refresh_from_db()
    assert run.status == RunStatus.PLANNED
    assert User.objects.filter(is_active=True).count() == 12
    run = _apply(run, admin, confirm=True)
    assert run.status == RunStatus.APPLIED
    assert run.confirmed_by_id == admin.pk
    assert sorted(User.objects.filter(is_active=False).values_list("email", flat=True)) == [
        "p8@example.com",
        "p9@example.com",
    ]


def test_additive_mapping_deactivates_nobody_missing(staff, admin, standard_mapping):
    standard_mapping(full_sync=False)
    run = run_plan(
        run=run_upload(
            upload=csv_upload(
                people_csv([("p0@example.com", "Person 0", "", "", "Sales", "", "")])
            ),
            actor=admin,
        ),
        actor=admin,
    )
    assert run.counts["deactivate"] == 0 and not run.needs_confirmation


def test_change_threshold(staff, admin, standard_mapping):
    standard_mapping(change_threshold_percent=20)
    rows = [(f"p{i}@example.com", f"Renamed {i}", "", "", "", "", "") for i in range(3)]
    run = run_plan(run=run_upload(upload=csv_upload(people_csv(rows)), actor=admin), actor=admin)
    assert run.threshold_reasons == ["It changes 25.0 % of people (the limit is 20 %)."]


def test_managed_fields_are_untouched(staff, admin, standard_mapping):
    standard_mapping()
    person = staff[3]
    User.objects.filter(pk=person.pk).update(managed_fields=["full_name", "department"])
    text = people_csv([("p3@example.com", "Imported Name", "E3", "", "Sales", "", "")])
    run = run_plan(run=run_upload(upload=csv_upload(text), actor=admin), actor=admin)
    assert run.diff[0]["changes"] == {"external_id": ["", "E3"]}
    assert run.diff[0]["skipped_managed"] == ["full_name", "department"]
    _apply(run, admin)
    person.refresh_from_db()
    assert (person.full_name, person.external_id) == ("Person 3", "E3")
    assert not person.learner_groups.exists()
    assert "full_name" not in person.attribute_sources


def test_rollback_restores_what_the_run_did(staff, admin, standard_mapping):
    standard_mapping(full_sync=True)
    User.objects.filter(email="p9@example.com").update(is_active=False)
    User.objects.filter(email="p4@example.com").update(attribute_sources={"full_name": "sso"})
    before = _people_state()
    rows = [
        (f"p{i}@example.com", f"Person {i}", "", "", "Sales" if i < 2 else "", "", "")
        for i in range(8)
    ]
    rows[4] = ("p4@example.com", "Renamed Four", "E4", "44", "Ops", "Readers", "instructor")
    rows.append(("p9@example.com", "Person 9", "", "", "", "", ""))  # reactivated
    rows.append(("ada@example.com", "Ada Admin", "", "", "", "", "admin"))
    rows.append(OWNER_ROW)
    rows.append(("fresh@example.com", "Fresh", "F1", "", "", "Readers", ""))
    run = run_plan(run=run_upload(upload=csv_upload(people_csv(rows)), actor=admin), actor=admin)
    run = _apply(run, admin, confirm=run.needs_confirmation)
    assert run.counts == {
        "create": 1,
        "update": 1,
        "deactivate": 1,
        "reactivate": 1,
        "unchanged": 9,
        "errors": 0,
    }
    assert not User.objects.get(email="p8@example.com").is_active
    run_rollback_queue(run=run, actor=admin)
    run = run_rollback(run_id=run.pk, actor_id=admin.pk)
    assert run.status == RunStatus.ROLLED_BACK
    after = [row for row in _people_state() if row[0] != "fresh@example.com"]
    assert after == before
    assert User.objects.get(email="p4@example.com").attribute_sources == {"full_name": "sso"}
    fresh = User.objects.get(email="fresh@example.com")
    assert not fresh.is_active
    assert set(ImportChange.objects.filter(run=run).values_list("rolled_back", flat=True)) == {True}
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT_ROLLED_BACK)
    assert entry.after == {"undone": 4, "failed": 0}
    assert entry.actor_email == "ada@example.com"


def test_key_external_id_updates_the_email(in_tenant_a, admin, standard_mapping):
    person = user_create(email="old@example.com", full_name="Old", actor=admin)
    User.objects.filter(pk=person.pk).update(external_id="X1")
    standard_mapping(key="external_id")
    run = run_plan(
        run=run_upload(
            upload=csv_upload(people_csv([("new@example.com", "Old", "X1", "", "", "", "")])),
            actor=admin,
        ),
        actor=admin,
    )
    assert run.diff[0]["changes"] == {"email": ["old@example.com", "new@example.com"]}
    assert run.needs_confirmation  # one of two people is half of them
    _apply(run, admin, confirm=True)
    person.refresh_from_db()
    assert person.email == "new@example.com"


def test_apply_writes_in_batches(staff, admin, standard_mapping):
    standard_mapping()
    rows = [(f"n{i}@example.com", f"N {i}", f"N{i}", "", "", "G", "") for i in range(60)]
    run = run_plan(run=run_upload(upload=csv_upload(people_csv(rows)), actor=admin), actor=admin)
    run_apply_queue(run=run, actor=admin)
    with CaptureQueriesContext(connection) as queries:
        run = run_apply(run_id=run.pk, actor_id=admin.pk)
    assert run.counts["create"] == 60
    assert LearnerGroup.objects.get(name="G").members.count() == 60
    # A bounded number of statements per person (the people services' own plus one update).
    assert len(queries) < 60 * 15
    assert run.progress_done == 60 and run.progress_percent == 100


def test_a_refused_new_person_leaves_the_others_of_the_batch_created(
    in_tenant_a, admin, standard_mapping
):
    holder = user_create(email="holder@example.com", actor=admin)
    User.objects.filter(pk=holder.pk).update(external_id="T1")
    standard_mapping()
    text = people_csv(
        [
            ("a@example.com", "A", "T1", "", "", "", ""),  # T1 is the holder's
            ("b@example.com", "B", "B1", "7", "Ops", "", ""),
        ]
    )
    run = run_plan(run=run_upload(upload=csv_upload(text), actor=admin), actor=admin)
    run = _apply(run, admin, confirm=run.needs_confirmation)
    assert run.errors == [
        {
            "line": 2,
            "key": "a@example.com",
            "reason": "Another person already has this e-mail or external id.",
        }
    ]
    assert not User.objects.filter(email="a@example.com").exists()
    b = User.objects.get(email="b@example.com")
    assert (b.external_id, b.employee_number) == ("B1", "7")
    assert [g.name for g in b.learner_groups.all()] == ["Ops"]
    assert run.counts["create"] == 1


def test_a_run_whose_file_is_gone_fails_instead_of_hanging(in_tenant_a, admin, standard_mapping):
    standard_mapping()
    text = people_csv([("gone@example.com", "Gone", "", "", "", "", "")])
    run = run_plan(run=run_upload(upload=csv_upload(text), actor=admin), actor=admin)
    run_apply_queue(run=run, actor=admin)
    run.file.delete(save=False)
    run = run_apply(run_id=run.pk, actor_id=admin.pk)
    assert run.status == RunStatus.FAILED
    assert run.failure == (
        "The import stopped after 0 rows (FileNotFoundError); what it did can be rolled back."
    )
    assert not User.objects.filter(email="gone@example.com").exists()
    assert not run.rollback_possible


def test_the_threshold_is_checked_again_when_the_run_is_applied(staff, admin, standard_mapping):
    standard_mapping(full_sync=True)
    rows = [
        (f"p{i}@example.com", f"Person {i}", "", "", "Sales" if i < 2 else "", "", "")
        for i in range(9)
    ]
    rows += [("ada@example.com", "Ada Admin", "", "", "", "", "admin"), OWNER_ROW]
    run = run_plan(run=run_upload(upload=csv_upload(people_csv(rows)), actor=admin), actor=admin)
    assert run.counts["deactivate"] == 1 and not run.needs_confirmation
    run_apply_queue(run=run, actor=admin)
    # Two people join before the worker gets to it: now 3 of 14 would be deactivated.
    user_create(email="late1@example.com", actor=admin)
    user_create(email="late2@example.com", actor=admin)
    run = run_apply(run_id=run.pk, actor_id=admin.pk)
    assert run.status == RunStatus.FAILED
    assert run.failure == "It deactivates 21.4 % of active people (the limit is 10 %)."
    assert User.objects.filter(is_active=False).count() == 0


def test_first_and_last_names_and_an_active_column(staff, admin, standard_mapping):
    standard_mapping(
        columns={
            "email": "Mail",
            "first_name": "First",
            "last_name": "Last",
            "active": "Active",
        },
        change_threshold_percent=100,
        deactivate_threshold_percent=100,
    )
    User.objects.filter(email="p1@example.com").update(is_active=False)
    text = (
        "Mail;First;Last;Active\n"
        "p0@example.com;Pia;Zero;no\n"
        "p1@example.com;Person;1;Yes\n"
        "p2@example.com;Paul;Two;maybe\n"
    )
    run = run_plan(run=run_upload(upload=csv_upload(text), actor=admin), actor=admin)
    assert run.errors == [{"line": 4, "reason": "'maybe' is not yes or no."}]
    assert [(row["line"], row["kind"], row["changes"]) for row in run.diff] == [
        (2, "deactivate", {"full_name": ["Person 0", "Pia Zero"]}),
        (3, "reactivate", {}),
    ]
    _apply(run, admin)
    p0, p1 = User.objects.get(email="p0@example.com"), User.objects.get(email="p1@example.com")
    assert (p0.full_name, p0.is_active, p1.is_active) == ("Pia Zero", False, True)
    run_rollback_queue(run=run, actor=admin)
    run_rollback(run_id=run.pk, actor_id=admin.pk)
    p0, p1 = User.objects.get(email="p0@example.com"), User.objects.get(email="p1@example.com")
    assert (p0.full_name, p0.is_active, p1.is_active) == ("Person 0", True, False)


def test_a_deleted_person_is_not_brought_back(staff, admin, standard_mapping):
    standard_mapping()
    user_remove(user=staff[3], actor=admin)  # kept 30 days before anonymising (default)
    text = people_csv([("p3@example.com", "Person 3", "E3", "", "", "", "learner")])
    run = run_plan(run=run_upload(upload=csv_upload(text), actor=admin), actor=admin)
    assert run.counts["reactivate"] == 0
    assert run.errors == [{"line": 2, "reason": "This person was deleted; they cannot come back."}]
    with pytest.raises(ApplicationError) as refused:
        user_reactivate(user=staff[3], actor=admin)
    assert refused.value.status == 409
    assert User.objects.get(pk=staff[3].pk).is_active is False
