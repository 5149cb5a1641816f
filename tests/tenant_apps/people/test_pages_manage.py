"""The tenant admin's people pages and settings (`/manage/people/`, `/manage/settings/`):
admins only, another tenant's people 404, bounded queries, every refusal shown on its field."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.people.models import LearnerGroup, PeoplePolicy, Role, User
from tenant_apps.people.services import group_save, people_policy_update
from tests.snapshots import snapshot


@pytest.fixture
def group(tenant_a, admin) -> LearnerGroup:
    with schema_context(tenant_a.schema):
        return group_save(name="Sales", kind="group", actor=admin)


@pytest.fixture
def department(tenant_a, admin) -> LearnerGroup:
    with schema_context(tenant_a.schema):
        return group_save(name="Finance", kind="department", actor=admin)


PAGES = ["/manage/people/", "/manage/people/invite/", "/manage/people/groups/", "/manage/settings/"]


@pytest.mark.parametrize("path", PAGES)
def test_admins_open_each_page(portal, admin, path):
    response = portal(admin).get(path)
    assert response.status_code == 200
    assert b'<main id="main"' in response.content


@pytest.mark.parametrize("path", PAGES)
def test_learners_and_instructors_get_403(portal, learner, instructor, author, path):
    for person in (learner, instructor, author):
        assert portal(person).get(path).status_code == 403, person.role


def test_signed_out_goes_to_sign_in(portal):
    response = portal().get("/manage/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/manage/people/")


def test_admin_menu_lists_the_admin_pages_for_admins_only(portal, admin, learner):
    page = portal(admin).get("/manage/people/").content.decode()
    for path in (
        "/manage/",
        "/manage/people/",
        "/manage/enrollments/",
        "/manage/settings/",
        "/manage/audit/",
    ):
        assert f'href="{path}"' in page, path
    assert 'href="/manage/people/" aria-current="page"' in page
    learner_home = portal(learner).get("/").content.decode()
    assert "/manage/" not in learner_home


def test_list_filters_by_search_role_status_and_group(portal, admin, make_person, tenant_a, group):
    bea = make_person(Role.LEARNER, email="bea@example.com", full_name="Bea Baker")
    make_person(Role.INSTRUCTOR, email="ian@example.com", full_name="Ian Ink")
    gone = make_person(Role.LEARNER, email="gus@example.com", full_name="Gus Gone")
    with schema_context(tenant_a.schema):
        group.members.add(bea)
        User.objects.filter(pk=gone.pk).update(is_active=False)
    client = portal(admin)

    def emails(**query) -> list[str]:
        response = client.get("/manage/people/", query)
        assert response.status_code == 200
        return [p.email for p in response.context["page"].object_list]

    assert emails(q="baker") == ["bea@example.com"]
    assert emails(role="instructor") == ["ian@example.com"]
    assert emails(status="inactive") == ["gus@example.com"]
    assert emails(group=group.pk) == ["bea@example.com"]
    assert emails(role="learner", status="active") == ["bea@example.com"]


def test_list_pages_and_its_queries_do_not_grow(
    portal, admin, make_person, tenant_a, group, django_assert_max_num_queries
):
    client = portal(admin)
    client.get("/manage/people/")
    with django_assert_max_num_queries(14):
        assert client.get("/manage/people/").status_code == 200
    with schema_context(tenant_a.schema):
        made = [make_person(email=f"many{n:03}@example.com") for n in range(60)]
        group.members.add(*made)
    with django_assert_max_num_queries(14):
        response = client.get("/manage/people/", {"page": 2})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25
    assert "Sales" in response.content.decode()
    assert "page=3" in response.content.decode()


def test_htmx_filter_returns_only_the_table(portal, admin):
    response = portal(admin).get("/manage/people/", {"q": "ada"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"ada@example.com" in response.content
    assert "HX-Request" in response["Vary"]
    # Going back, htmx asks for the whole page again.
    restored = portal(admin).get(
        "/manage/people/",
        {"q": "ada"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert b"<html" in restored.content


def test_pasted_invitations_are_all_refused_when_a_line_is_invalid(portal, admin, tenant_a):
    client = portal(admin)  # signing in records the time: before the snapshot
    before = snapshot(User, LearnerGroup, tenant=tenant_a)
    pasted = "new.one@example.com\nnot-an-address, second@example.com\n\nbob@"
    response = client.post("/manage/people/invite/", {"emails": pasted, "role": "learner"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 2: “not-an-address” is not a valid e-mail address." in page
    assert "Line 4: “bob@” is not a valid e-mail address." in page
    assert 'aria-describedby="id_emails_helptext id_emails_error"' in page
    assert 'href="#id_emails"' in page  # the summary links to the field
    assert pasted in page.replace("&#x27;", "'")  # what was typed stays
    assert snapshot(User, LearnerGroup, tenant=tenant_a) == before
    assert mail.outbox == []


def test_pasted_invitations_invite_the_new_and_report_the_members(
    portal, admin, make_person, tenant_a, group, django_capture_on_commit_callbacks
):
    make_person(email="already@example.com")
    pasted = "New.One@example.com, already@example.com\nsecond@example.com; new.one@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = portal(admin).post(
            "/manage/people/invite/",
            {"emails": pasted, "role": "instructor", "group_ids": [group.pk]},
            follow=True,
        )
    assert response.redirect_chain == [("/manage/people/", 302)]
    page = response.content.decode()
    assert "Invited 2 people: new.one@example.com, second@example.com." in page
    assert "Already members, not invited again: already@example.com." in page
    with schema_context(tenant_a.schema):
        invited = User.objects.filter(email__in=["new.one@example.com", "second@example.com"])
        assert sorted((u.email, u.role) for u in invited) == [
            ("new.one@example.com", "instructor"),
            ("second@example.com", "instructor"),
        ]
        assert sorted(group.members.values_list("email", flat=True)) == [
            "new.one@example.com",
            "second@example.com",
        ]
        assert AuditEntry.objects.filter(action=AuditAction.USER_INVITED).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["new.one@example.com", "second@example.com"]


def test_new_people_start_with_the_tenants_language_and_time_zone(portal, admin, tenant_a):
    with schema_context(tenant_a.schema):
        people_policy_update(default_time_zone="Asia/Kolkata", actor=admin)
    portal(admin).post("/manage/people/invite/", {"emails": "zoned@example.com", "role": "learner"})
    with schema_context(tenant_a.schema):
        person = User.objects.get(email="zoned@example.com")
    assert (person.locale, person.time_zone) == ("en", "Asia/Kolkata")


def test_person_page_shows_groups_and_enrollments(
    portal, admin, learner, tenant_a, group, django_assert_max_num_queries
):
    from tenant_apps.enrollments.services import enrollment_assign
    from tests.builders import course_build

    with schema_context(tenant_a.schema):
        for number in range(8):
            course = course_build(owner=admin, title=f"Course <b>{number}</b>")
            enrollment_assign(user=learner, course=course, actor=admin)
        group.members.add(learner)
    client = portal(admin)
    client.get(f"/manage/people/{learner.pk}/")
    with django_assert_max_num_queries(16):
        response = client.get(f"/manage/people/{learner.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Course &lt;b&gt;7&lt;/b&gt;" in page
    assert len(response.context["enrollments"]) == 8
    assert f'value="{group.pk}" id="id_group_ids_0" checked' in page.replace("  ", " ") or (
        "checked" in page
    )


def test_admin_sets_role_groups_and_department(portal, admin, learner, tenant_a, group, department):
    response = portal(admin).post(
        f"/manage/people/{learner.pk}/",
        {"role": "instructor", "group_ids": [group.pk], "department": department.pk},
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema):
        person = User.objects.get(pk=learner.pk)
        assert person.role == "instructor"
        assert sorted(person.learner_groups.values_list("name", flat=True)) == [
            "Finance",
            "Sales",
        ]
        actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == [
        AuditAction.USER_ROLE_CHANGED,
        AuditAction.GROUP_MEMBERS_CHANGED,
        AuditAction.GROUP_MEMBERS_CHANGED,
    ]
    # Clearing the department and the groups takes them away again.
    portal(admin).post(f"/manage/people/{learner.pk}/", {"role": "instructor"})
    with schema_context(tenant_a.schema):
        assert list(User.objects.get(pk=learner.pk).learner_groups.all()) == []


def test_the_last_admin_keeps_the_role_and_the_error_shows_on_the_field(portal, tenant_a):
    with schema_context(tenant_a.schema):
        # The provisioned admin is active too: make this the only active one.
        User.objects.filter(role=Role.ADMIN).update(is_active=False)
        only = User.objects.create(email="only@example.com", role=Role.ADMIN)
    client = portal(only)
    before = snapshot(User, LearnerGroup, tenant=tenant_a)
    response = client.post(f"/manage/people/{only.pk}/", {"role": "learner"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_role_error"' in page
    assert "Make someone else an admin first." in page
    assert '<option value="learner" selected>' in page  # what was chosen stays
    assert snapshot(User, LearnerGroup, tenant=tenant_a) == before


def test_deactivation_ends_sessions_and_reactivation_restores(portal, admin, learner, tenant_a):
    learners_browser = portal(learner)
    assert learners_browser.get("/").status_code == 200
    response = portal(admin).post(f"/manage/people/{learner.pk}/deactivate/", follow=True)
    assert "Deactivated lena@example.com" in response.content.decode()
    with schema_context(tenant_a.schema):
        assert not User.objects.get(pk=learner.pk).is_active
    assert learners_browser.get("/").status_code == 302  # signed out
    portal(admin).post(f"/manage/people/{learner.pk}/reactivate/")
    with schema_context(tenant_a.schema):
        assert User.objects.get(pk=learner.pk).is_active


def test_another_tenants_person_is_404_and_nothing_changes(
    portal, admin, make_person, tenant_a, tenant_b
):
    stranger = make_person(Role.LEARNER, tenant=tenant_b, email="stranger@b.example")
    with schema_context(tenant_a.schema):
        taken = set(User.objects.values_list("pk", flat=True))
    if stranger.pk in taken:
        pytest.skip("the two tenants' ids happen to coincide")
    before = snapshot(User, tenant=tenant_b)
    client = portal(admin)
    assert client.get(f"/manage/people/{stranger.pk}/").status_code == 404
    for action in ("deactivate", "reactivate", ""):
        path = f"/manage/people/{stranger.pk}/{action + '/' if action else ''}"
        assert client.post(path, {"role": "admin"}).status_code == 404, action
    assert snapshot(User, tenant=tenant_b) == before


def test_a_learner_posting_to_admin_forms_changes_nothing(portal, learner, admin, tenant_a):
    client = portal(learner)
    before = snapshot(User, LearnerGroup, PeoplePolicy, tenant=tenant_a)
    posts = [
        ("/manage/people/invite/", {"emails": "x@example.com", "role": "admin"}),
        (f"/manage/people/{admin.pk}/", {"role": "learner"}),
        (f"/manage/people/{admin.pk}/deactivate/", {}),
        ("/manage/people/groups/", {"name": "Hackers", "kind": "group"}),
        (
            "/manage/settings/",
            {"self_registration_enabled": "on", "default_locale": "en", "default_time_zone": "UTC"},
        ),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 403, path
    assert snapshot(User, LearnerGroup, PeoplePolicy, tenant=tenant_a) == before


def test_groups_page_adds_a_group_and_refuses_a_taken_name(portal, admin, group, tenant_a):
    client = portal(admin)
    response = client.post("/manage/people/groups/", {"name": "Finance", "kind": "department"})
    assert response.status_code == 302
    response = client.post("/manage/people/groups/", {"name": "sales", "kind": "group"})
    assert response.status_code == 400
    assert "Choose another name." in response.content.decode()
    assert 'value="sales"' in response.content.decode()
    with schema_context(tenant_a.schema):
        assert sorted(LearnerGroup.objects.values_list("name", "kind")) == [
            ("Finance", "department"),
            ("Sales", "group"),
        ]


def test_settings_change_is_saved_and_audited(portal, admin, tenant_a):
    response = portal(admin).post(
        "/manage/settings/",
        {
            "self_registration_enabled": "on",
            "default_locale": "en",
            "default_time_zone": "Europe/Paris",
        },
    )
    assert response.status_code == 302
    with schema_context(tenant_a.schema):
        policy = PeoplePolicy.objects.get()
        assert (policy.self_registration_enabled, policy.default_time_zone) == (
            True,
            "Europe/Paris",
        )
        entry = AuditEntry.objects.get(action=AuditAction.PEOPLE_SETTINGS_CHANGED)
    assert entry.before == {"self_registration_enabled": False, "default_time_zone": "UTC"}
    assert entry.after == {"self_registration_enabled": True, "default_time_zone": "Europe/Paris"}
    assert entry.actor_email == "ada@example.com"


def test_settings_refuse_an_unknown_zone_or_language_on_the_field(portal, admin, tenant_a):
    before = snapshot(PeoplePolicy, tenant=tenant_a)
    response = portal(admin).post(
        "/manage/settings/",
        {"default_locale": "xx", "default_time_zone": "Mars/Olympus_Mons"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_default_locale_error"' in page
    assert 'id="id_default_time_zone_error"' in page
    assert snapshot(PeoplePolicy, tenant=tenant_a) == before


def test_the_service_refuses_an_unknown_zone_for_the_api_too(api, admin):
    response = api(admin).put(
        "/api/v1/settings/people", {"default_time_zone": "Nowhere/Land"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {"field": "default_time_zone", "message": "Choose a time zone from the list."}
    ]
