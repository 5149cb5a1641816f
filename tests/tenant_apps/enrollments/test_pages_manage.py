"""The tenant admin's enrollment pages (`/manage/enrollments/`): the list with its filters,
assigning a course to people and groups with a due date (e-mails included), cancelling,
and granting a pending (paid-course) enrollment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditAction, AuditEntry
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.enrollments.services import enrollment_assign, enrollment_self_enroll
from tenant_apps.people.models import Role, User
from tenant_apps.people.services import group_members_set, group_save
from tests.tenant_apps.enrollments.conftest import enrollment_rows


@pytest.fixture
def course(make_course):
    return make_course(title="Safety <script>alert(1)</script>")


@pytest.fixture
def team(tenant_a, admin, learner, other_learner):
    with schema_context(tenant_a.schema):
        group = group_save(name="Team", kind="group", actor=admin)
        group_members_set(group=group, add=[learner.pk, other_learner.pk], remove=[], actor=admin)
    return group


PAGES = ["/manage/enrollments/", "/manage/enrollments/assign/"]


@pytest.mark.parametrize("path", PAGES)
def test_only_admins_open_the_pages(portal, admin, learner, instructor, author, path):
    assert portal(admin).get(path).status_code == 200
    for person in (learner, instructor, author):
        assert portal(person).get(path).status_code == 403, person.role


def test_list_filters_by_course_status_person_and_group(
    portal, admin, learner, other_learner, make_course, course, team, tenant_a
):
    other = make_course(title="Other course")
    with schema_context(tenant_a.schema):
        enrollment_assign(user=learner, course=course, actor=admin)
        enrollment_self_enroll(user=other_learner, course=other)
        outsider = User.objects.create(email="out@example.com")
        enrollment_self_enroll(user=outsider, course=course)
    client = portal(admin)

    def rows(**query) -> list[tuple[str, str]]:
        response = client.get("/manage/enrollments/", query)
        assert response.status_code == 200
        return sorted((e.user.email, e.course.title) for e in response.context["page"])

    assert rows(course=other.pk) == [("leo@example.com", "Other course")]
    assert rows(person="lena") == [("lena@example.com", course.title)]
    assert rows(group=team.pk) == [
        ("lena@example.com", course.title),
        ("leo@example.com", "Other course"),
    ]
    assert rows(status="completed") == []
    page = client.get("/manage/enrollments/").content.decode()
    assert "Safety &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_list_queries_do_not_grow_with_enrollments(
    portal, admin, make_course, tenant_a, django_assert_max_num_queries
):
    client = portal(admin)
    client.get("/manage/enrollments/")
    with django_assert_max_num_queries(16):
        assert client.get("/manage/enrollments/").status_code == 200
    with schema_context(tenant_a.schema):
        courses = [make_course(title=f"Course {n}") for n in range(3)]
        for n in range(40):
            person = User.objects.create(email=f"p{n:02}@example.com")
            for one in courses:
                enrollment_self_enroll(user=person, course=one)
    with django_assert_max_num_queries(16):
        response = client.get("/manage/enrollments/", {"page": 2})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 120


def test_admin_assigns_a_course_to_people_and_a_group_with_a_due_date(
    portal,
    admin,
    learner,
    other_learner,
    course,
    team,
    tenant_a,
    make_person,
    django_capture_on_commit_callbacks,
):
    extra = make_person(email="extra@example.com")
    due = timezone.localdate() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = portal(admin).post(
            "/manage/enrollments/assign/",
            {
                "course": course.pk,
                "emails": "extra@example.com, LENA@example.com",
                "group_ids": [team.pk],
                "due_date": due.isoformat(),
            },
            follow=True,
        )
    assert response.redirect_chain == [("/manage/enrollments/", 302)]
    page = response.content.decode()
    assert "Assigned to extra@example.com, lena@example.com." in page
    assert "Assigned to the group Team: 1 enrolled, 1 already enrolled" in page
    with schema_context(tenant_a.schema):
        enrolled = Enrollment.objects.filter(course=course).order_by("user__email")
        assert [(e.user.email, e.status, e.source) for e in enrolled] == [
            ("extra@example.com", "active", "assigned"),
            ("lena@example.com", "active", "assigned"),
            ("leo@example.com", "active", "group"),
        ]
        assert {timezone.localtime(e.due_at).date() for e in enrolled} == {due}
        actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count(AuditAction.ENROLLMENT_ASSIGNED) == 2
    assert actions.count(AuditAction.GROUP_COURSE_ASSIGNED) == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        extra.email,
        learner.email,
        other_learner.email,
    ]


def test_a_refused_assignment_changes_nothing_and_shows_each_field(
    portal, admin, learner, course, make_course, tenant_a
):
    client = portal(admin)
    before = enrollment_rows(tenant_a)
    response = client.post(
        "/manage/enrollments/assign/",
        {
            "course": course.pk,
            "emails": "lena@example.com\nnobody@example.com",
            "due_date": "2020-01-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "No one here uses nobody@example.com." in page
    assert 'id="id_emails_error"' in page
    assert "nobody@example.com" in page  # kept in the textarea
    response = client.post(
        "/manage/enrollments/assign/",
        {"course": course.pk, "emails": "lena@example.com", "due_date": "2020-01-01"},
    )
    assert response.status_code == 400
    assert 'id="id_due_date_error"' in response.content.decode()
    assert "Choose a due date in the future." in response.content.decode()
    response = client.post("/manage/enrollments/assign/", {"course": course.pk})
    assert response.status_code == 400
    assert "Choose people, groups, or both." in response.content.decode()
    assert enrollment_rows(tenant_a) == before


def test_admin_grants_a_pending_enrollment_and_cancels_one(
    portal, admin, learner, make_course, tenant_a, django_capture_on_commit_callbacks
):
    paid = make_course(title="Paid course", price="49.00")
    with schema_context(tenant_a.schema):
        pending = enrollment_self_enroll(user=learner, course=paid)
    assert pending.status == EnrollmentStatus.PENDING
    client = portal(admin)
    listing = client.get("/manage/enrollments/", {"status": "pending"}).content.decode()
    assert f"/manage/enrollments/{pending.pk}/activate/" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/manage/enrollments/{pending.pk}/activate/",
            {"next": "/manage/enrollments/?status=pending"},
        )
    assert response["Location"] == "/manage/enrollments/?status=pending"
    with schema_context(tenant_a.schema):
        assert Enrollment.objects.get(pk=pending.pk).status == EnrollmentStatus.ACTIVE
    assert [m.to for m in mail.outbox] == [[learner.email]]
    response = client.post(
        f"/manage/enrollments/{pending.pk}/cancel/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/manage/enrollments/"  # never off the site
    with schema_context(tenant_a.schema):
        assert Enrollment.objects.get(pk=pending.pk).status == EnrollmentStatus.CANCELLED
        entries = list(AuditEntry.objects.order_by("id").values_list("action", "target_label"))
    assert entries[-2:] == [
        (AuditAction.ENROLLMENT_ACTIVATED, "lena@example.com in Paid course"),
        (AuditAction.ENROLLMENT_CANCELLED, "lena@example.com in Paid course"),
    ]


def test_another_tenants_enrollment_is_404_and_unchanged(
    portal, admin, make_person, make_course, tenant_a, tenant_b
):
    stranger = make_person(Role.LEARNER, tenant=tenant_b, email="s@b.example")
    owner_b = make_person(Role.INSTRUCTOR, tenant=tenant_b, email="i@b.example")
    course_b = make_course(tenant=tenant_b, owner=owner_b, title="B course", price="10.00")
    with schema_context(tenant_b.schema):
        theirs = enrollment_self_enroll(user=stranger, course=course_b)
    with schema_context(tenant_a.schema):
        if Enrollment.objects.filter(pk=theirs.pk).exists():
            pytest.skip("the two tenants' ids happen to coincide")
    client = portal(admin)
    before = enrollment_rows(tenant_b)
    for action in ("activate", "cancel"):
        assert client.post(f"/manage/enrollments/{theirs.pk}/{action}/").status_code == 404
    response = client.post(
        "/manage/enrollments/assign/", {"course": course_b.pk, "emails": "lena@example.com"}
    )
    assert response.status_code == 400  # not one of this tenant's courses
    assert enrollment_rows(tenant_b) == before


def test_a_learner_or_instructor_posting_changes_nothing(
    portal, learner, instructor, make_course, tenant_a
):
    course = make_course(title="Theirs", price="10.00")
    with schema_context(tenant_a.schema):
        pending = enrollment_self_enroll(user=learner, course=course)
    for person in (learner, instructor):
        client = portal(person)
        before = enrollment_rows(tenant_a)
        for path, data in (
            (f"/manage/enrollments/{pending.pk}/activate/", {}),
            (f"/manage/enrollments/{pending.pk}/cancel/", {}),
            ("/manage/enrollments/assign/", {"course": course.pk, "emails": learner.email}),
        ):
            assert client.post(path, data).status_code == 403, (person.role, path)
        assert enrollment_rows(tenant_a) == before


def test_due_date_is_the_end_of_the_day_in_the_admins_zone(
    portal, admin, learner, course, tenant_a
):
    with schema_context(tenant_a.schema):
        User.objects.filter(pk=admin.pk).update(time_zone="Asia/Tokyo")
    due = date.today() + timedelta(days=3)
    portal(admin).post(
        "/manage/enrollments/assign/",
        {"course": course.pk, "emails": learner.email, "due_date": due.isoformat()},
    )
    with schema_context(tenant_a.schema):
        enrollment = Enrollment.objects.get(course=course)
    from zoneinfo import ZoneInfo

    local = enrollment.due_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (local.date(), local.hour, local.minute) == (due, 23, 59)
