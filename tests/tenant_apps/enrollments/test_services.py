"""The enrollment lifecycle through its services, in tenant A's schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone, translation

from core.errors import ApplicationError, Conflict, ValidationFailed
from tenant_apps.courses.models import CourseStatus
from tenant_apps.enrollments import services
from tenant_apps.enrollments.hooks import (
    enrollment_completed_handler_register,
    enrollment_completed_handler_unregister,
)
from tenant_apps.enrollments.models import Enrollment, EnrollmentSource, EnrollmentStatus
from tenant_apps.events.models import OutboxEvent
from tenant_apps.notifications.models import Notification
from tenant_apps.people.models import LearnerGroup, Role, User
from tenant_apps.people.services import user_deactivate
from tests.builders import course_build
from tests.tenant_apps.enrollments.conftest import enrollment_rows

DUE = datetime(2031, 6, 30, 15, 0, tzinfo=UTC)


def events_of(enrollment: Enrollment) -> list[str]:
    return list(
        OutboxEvent.objects.filter(subject_type="enrollment", subject_id=str(enrollment.pk))
        .order_by("id")
        .values_list("event_type", flat=True)
    )


@pytest.fixture
def free_course(in_tenant_a, instructor):
    return course_build(owner=instructor, title="Safety Basics")


@pytest.fixture
def paid_course(in_tenant_a, instructor):
    return course_build(owner=instructor, title="Advanced Welding", price="49.00")


# ------------------------------------------------------------------------------------------
# Self-enrollment
def test_free_course_is_active_at_once_announced_and_confirmed(
    free_course, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = services.enrollment_self_enroll(user=learner, course=free_course)

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.source) == ("active", "self")
    assert enrollment.activated_at == enrollment.created_at
    assert events_of(enrollment) == ["enrollment.created", "course.enrolled"]
    created = OutboxEvent.objects.get(event_type="enrollment.created")
    assert created.actor_id == learner.pk
    assert created.payload["user_id"] == learner.pk
    assert created.payload["course_id"] == free_course.pk
    assert created.payload["status"] == "active"

    (message,) = mail.outbox
    assert message.to == ["lena@example.com"]
    assert message.subject == "You're enrolled in Safety Basics at Alpha Learning"
    assert "Hello Lena Learner," in message.body
    assert 'You\'re enrolled in "Safety Basics" at Alpha Learning.' in message.body
    course_url = f"http://alpha.localhost/courses/{free_course.pk}/"
    assert f"Start learning here:\n\n{course_url}\n" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "<strong>Safety Basics</strong>" in html
    assert f'<a href="{course_url}" style="display:inline-block;background:#3b5bdb' in html
    assert ">Start learning</a>" in html
    assert message.from_email.startswith("Alpha Learning <")


def test_paid_course_stays_pending_until_activated(
    paid_course, learner, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = services.enrollment_self_enroll(user=learner, course=paid_course)
    assert (enrollment.status, enrollment.activated_at) == ("pending", None)
    assert events_of(enrollment) == ["enrollment.created"]
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        activated = services.enrollment_activate(enrollment=enrollment, actor=None)
    assert activated.status == "active"
    assert activated.activated_at is not None
    assert events_of(enrollment) == [
        "enrollment.created",
        "enrollment.activated",
        "course.enrolled",
    ]
    assert [m.subject for m in mail.outbox] == [
        "You're enrolled in Advanced Welding at Alpha Learning"
    ]

    # A retried payment notification changes nothing.
    again = services.enrollment_activate(enrollment=enrollment, actor=admin)
    assert (again.status, again.activated_at) == ("active", activated.activated_at)
    assert events_of(enrollment) == [
        "enrollment.created",
        "enrollment.activated",
        "course.enrolled",
    ]


@pytest.mark.parametrize("status", [CourseStatus.DRAFT, CourseStatus.ARCHIVED])
def test_only_published_courses_can_be_enrolled_in(in_tenant_a, instructor, learner, status):
    course = course_build(owner=instructor, status=status)
    before = enrollment_rows()
    with pytest.raises(Conflict) as refused:
        services.enrollment_self_enroll(user=learner, course=course)
    assert refused.value.code.value == "course_not_published"
    with pytest.raises(Conflict):
        services.enrollment_assign(user=learner, course=course, actor=instructor)
    assert enrollment_rows() == before


@pytest.mark.parametrize("first_status", ["pending", "active", "completed"])
def test_a_second_enrollment_is_already_enrolled(in_tenant_a, instructor, learner, first_status):
    course = course_build(owner=instructor, price="10.00")
    first = services.enrollment_self_enroll(user=learner, course=course)
    if first_status != "pending":
        services.enrollment_activate(enrollment=first, actor=None)
    if first_status == "completed":
        services.enrollment_complete(enrollment=first, actor=learner)
    assert Enrollment.objects.get().status == first_status
    before = enrollment_rows()
    with pytest.raises(Conflict) as refused:
        services.enrollment_self_enroll(user=learner, course=course)
    assert refused.value.code.value == "already_enrolled"
    assert refused.value.status == 409
    assert enrollment_rows() == before


def test_the_database_refuses_a_second_live_enrollment(free_course, learner):
    def row(status: str) -> Enrollment:
        return Enrollment(
            user=learner,
            course=free_course,
            status=status,
            source="self",
            activated_at=timezone.now(),
            cancelled_at=timezone.now() if status == "cancelled" else None,
        )

    row("active").save()
    row("cancelled").save()  # history does not count
    row("cancelled").save()
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        row("active").save()
    assert refused.value.__cause__.diag.constraint_name == "enrollment_one_live_per_user_course"


def test_the_database_refuses_unknown_states(free_course, learner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(user=learner, course=free_course, status="paused", source="self")
    with pytest.raises(IntegrityError), transaction.atomic():
        # active without activated_at
        Enrollment.objects.create(user=learner, course=free_course, status="active", source="self")


def test_enrolling_again_after_a_cancellation_makes_a_new_enrollment(free_course, learner):
    first = services.enrollment_self_enroll(user=learner, course=free_course)
    services.enrollment_cancel(enrollment=first, actor=learner)
    second = services.enrollment_self_enroll(user=learner, course=free_course)

    assert second.pk != first.pk
    first.refresh_from_db()
    assert (first.status, second.status) == ("cancelled", "active")
    assert Enrollment.objects.filter(user=learner, course=free_course).count() == 2


# ------------------------------------------------------------------------------------------
# Cancelling and activating
def test_cancel_records_when_and_who_and_is_idempotent(free_course, learner, admin):
    enrollment = services.enrollment_self_enroll(user=learner, course=free_course)
    cancelled = services.enrollment_cancel(enrollment=enrollment, actor=admin)
    assert (cancelled.status, cancelled.cancelled_by_id) == ("cancelled", admin.pk)
    assert cancelled.cancelled_at is not None

    again = services.enrollment_cancel(enrollment=enrollment, actor=learner)
    assert (again.cancelled_at, again.cancelled_by_id) == (cancelled.cancelled_at, admin.pk)
    assert events_of(enrollment) == [
        "enrollment.created",
        "course.enrolled",
        "enrollment.cancelled",
    ]
    cancelled_event = OutboxEvent.objects.get(event_type="enrollment.cancelled")
    assert (cancelled_event.actor_id, cancelled_event.payload["status"]) == (admin.pk, "cancelled")


def test_pending_enrollment_can_be_cancelled(paid_course, learner):
    enrollment = services.enrollment_self_enroll(user=learner, course=paid_course)
    assert services.enrollment_cancel(enrollment=enrollment, actor=learner).status == "cancelled"


def test_completed_enrollment_cannot_be_cancelled(free_course, learner):
    enrollment = services.enrollment_self_enroll(user=learner, course=free_course)
    services.enrollment_complete(enrollment=enrollment, actor=learner)
    before = enrollment_rows()
    with pytest.raises(Conflict) as refused:
        services.enrollment_cancel(enrollment=enrollment, actor=learner)
    assert refused.value.code.value == "invalid_transition"
    assert refused.value.message == "A completed enrollment cannot be cancelled."
    assert enrollment_rows() == before


@pytest.mark.parametrize("action", ["cancel", "complete"])
def test_cancelled_or_completed_enrollment_cannot_be_activated(paid_course, learner, action):
    enrollment = services.enrollment_self_enroll(user=learner, course=paid_course)
    if action == "cancel":
        services.enrollment_cancel(enrollment=enrollment, actor=learner)
    else:
        services.enrollment_activate(enrollment=enrollment, actor=None)
        services.enrollment_complete(enrollment=enrollment, actor=learner)
    before = enrollment_rows()
    with pytest.raises(Conflict) as refused:
        services.enrollment_activate(enrollment=enrollment, actor=None)
    assert refused.value.code.value == "invalid_transition"
    assert enrollment_rows() == before


# ------------------------------------------------------------------------------------------
# Completion: once, announced, with the certificates' extension point
def test_completion_is_recorded_once_and_runs_handlers_once(free_course, learner):
    seen: list[tuple[int, str]] = []

    def handler(*, enrollment: Enrollment) -> None:
        seen.append((enrollment.pk, enrollment.status))

    enrollment_completed_handler_register(handler)
    enrollment_completed_handler_register(handler)  # twice: still one call per completion
    try:
        enrollment = services.enrollment_self_enroll(user=learner, course=free_course)
        first = services.enrollment_complete(enrollment=enrollment, actor=learner)
        second = services.enrollment_complete(enrollment=enrollment, actor=learner)
    finally:
        enrollment_completed_handler_unregister(handler)

    assert first.status == "completed"
    assert second.completed_at == first.completed_at
    assert seen == [(enrollment.pk, "completed")]
    assert events_of(enrollment) == ["enrollment.created", "course.enrolled", "course.completed"]
    completed = OutboxEvent.objects.get(event_type="course.completed")
    assert completed.payload["completed_at"] == DjangoJSONEncoder().default(first.completed_at)


def test_a_failing_completion_handler_undoes_the_completion(free_course, learner):
    def handler(*, enrollment: Enrollment) -> None:
        raise RuntimeError("certificate store is down")

    enrollment = services.enrollment_self_enroll(user=learner, course=free_course)
    before = enrollment_rows()
    enrollment_completed_handler_register(handler)
    try:
        with pytest.raises(RuntimeError):
            services.enrollment_complete(enrollment=enrollment, actor=learner)
    finally:
        enrollment_completed_handler_unregister(handler)
    assert enrollment_rows() == before


def test_pending_enrollment_is_not_completed(paid_course, learner):
    enrollment = services.enrollment_self_enroll(user=learner, course=paid_course)
    assert services.enrollment_complete(enrollment=enrollment, actor=None).status == "pending"
    assert events_of(enrollment) == ["enrollment.created"]


# ------------------------------------------------------------------------------------------
# Assignment
def test_assignment_grants_a_paid_course_with_a_due_date_and_tells_the_person(
    paid_course, learner, instructor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = services.enrollment_assign(
            user=learner, course=paid_course, actor=instructor, due_at=DUE
        )
    assert (enrollment.status, enrollment.source) == ("active", "assigned")
    assert (enrollment.assigned_by_id, enrollment.due_at) == (instructor.pk, DUE)
    assert events_of(enrollment) == ["enrollment.created", "course.enrolled"]
    assert OutboxEvent.objects.get(event_type="course.enrolled").actor_id == instructor.pk

    (message,) = mail.outbox
    assert message.to == ["lena@example.com"]
    # Lena reads Berlin time: 15:00 UTC is 17:00 CEST.
    assert message.subject == (
        "Alpha Learning assigned you Advanced Welding, due 30 June 2031, 17:00 CEST"
    )
    assert (
        'Alpha Learning assigned you the course "Advanced Welding" '
        "(assigned by Ivan Instructor)." in message.body
    )
    assert "Please complete it by 30 June 2031, 17:00 CEST." in message.body
    html = message.alternatives[0][0]
    assert "Please complete it by <strong>30 June 2031, 17:00 CEST</strong>." in html


@override_settings(LANGUAGES=[("en", "English"), ("de", "Deutsch")])
def test_assignment_is_written_in_the_persons_language_and_time_zone(
    paid_course, learner, instructor, django_capture_on_commit_callbacks
):
    """Lectern offers English only, so German here borrows Django's own catalogue (month
    names): enough to show that the inbox entry and the e-mail are written in Lena's
    language, not in that of the instructor whose request assigns the course."""
    User.objects.filter(pk=learner.pk).update(locale="de")
    learner.refresh_from_db()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.enrollment_assign(user=learner, course=paid_course, actor=instructor, due_at=DUE)

    (message,) = mail.outbox
    assert message.subject == (
        "Alpha Learning assigned you Advanced Welding, due 30 Juni 2031, 17:00 CEST"
    )
    assert "Please complete it by 30 Juni 2031, 17:00 CEST." in message.body
    assert '<html lang="de">' in message.alternatives[0][0]
    (notification,) = Notification.objects.filter(recipient=learner)
    assert (notification.title, notification.body) == (
        "Assigned: Advanced Welding",
        "Due 30 Juni 2031, 17:00 CEST.",
    )


def test_assignment_without_due_date_says_none(
    free_course, learner, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_assign(user=learner, course=free_course, actor=admin)
    (message,) = mail.outbox
    assert message.subject == "Alpha Learning assigned you Safety Basics"
    assert "complete it by" not in message.body


def test_assignment_turns_a_pending_self_enrollment_into_an_active_one(paid_course, learner, admin):
    pending = services.enrollment_self_enroll(user=learner, course=paid_course)
    assigned = services.enrollment_assign(user=learner, course=paid_course, actor=admin, due_at=DUE)
    assert assigned.pk == pending.pk
    assert (assigned.status, assigned.source, assigned.due_at) == ("active", "assigned", DUE)
    assert events_of(pending) == [
        "enrollment.created",
        "enrollment.activated",
        "course.enrolled",
    ]


def test_assigning_someone_already_enrolled_is_a_conflict_naming_the_person(
    free_course, learner, admin
):
    services.enrollment_self_enroll(user=learner, course=free_course)
    before = enrollment_rows()
    with pytest.raises(Conflict) as refused:
        services.enrollment_assign(user=learner, course=free_course, actor=admin)
    assert refused.value.code.value == "already_enrolled"
    assert [d.field for d in refused.value.details] == ["user_id"]
    assert enrollment_rows() == before


def test_assignment_refuses_a_past_due_date_and_a_deactivated_person(
    free_course, make_person, admin
):
    person = make_person(Role.LEARNER)
    before = enrollment_rows()
    with pytest.raises(ValidationFailed) as past:
        services.enrollment_assign(
            user=person, course=free_course, actor=admin, due_at=timezone.now() - timedelta(1)
        )
    assert (past.value.code.value, past.value.details[0].field) == ("due_date_past", "due_at")
    assert enrollment_rows() == before

    user_deactivate(user=person, actor=admin)
    person.refresh_from_db()
    before = enrollment_rows()
    with pytest.raises(ValidationFailed) as inactive:
        services.enrollment_assign(user=person, course=free_course, actor=admin)
    assert inactive.value.code.value == "person_inactive"
    assert enrollment_rows() == before


def test_group_assignment_enrolls_the_rest_and_counts_the_others(
    paid_course, make_person, admin, django_capture_on_commit_callbacks
):
    new_a, new_b, enrolled, pending, done, gone = (
        make_person(email=f"{name}@example.com")
        for name in ("new-a", "new-b", "enrolled", "pending", "done", "gone")
    )
    group = LearnerGroup.objects.create(name="Welders")
    group.members.add(new_a, new_b, enrolled, pending, done, gone)
    services.enrollment_assign(user=enrolled, course=paid_course, actor=admin)
    pending_one = services.enrollment_self_enroll(user=pending, course=paid_course)
    finished = services.enrollment_assign(user=done, course=paid_course, actor=admin)
    services.enrollment_complete(enrollment=finished, actor=done)
    user_deactivate(user=gone, actor=admin)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = services.enrollment_assign_group(
            group=group, course=paid_course, actor=admin, due_at=DUE
        )

    new_ids = sorted(
        Enrollment.objects.filter(user__in=[new_a, new_b]).values_list("pk", flat=True)
    )
    assert sorted(result.enrolled_ids) == new_ids
    assert result.activated_ids == [pending_one.pk]
    assert (result.already_enrolled, result.inactive_skipped) == (2, 1)
    rows = Enrollment.objects.filter(course=paid_course, group=group).order_by("user__email")
    assert [(e.user.email, e.status, e.source, e.due_at) for e in rows] == [
        ("new-a@example.com", "active", "group", DUE),
        ("new-b@example.com", "active", "group", DUE),
        ("pending@example.com", "active", "group", DUE),
    ]
    assert not Enrollment.objects.filter(user=gone).exists()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "new-a@example.com",
        "new-b@example.com",
        "pending@example.com",
    ]
    for enrollment_id in new_ids:
        assert events_of(Enrollment(pk=enrollment_id)) == ["enrollment.created", "course.enrolled"]
    assert events_of(pending_one) == [
        "enrollment.created",
        "enrollment.activated",
        "course.enrolled",
    ]

    # Assigning again changes nothing.
    again = services.enrollment_assign_group(group=group, course=paid_course, actor=admin)
    assert (again.enrolled_ids, again.activated_ids) == ([], [])
    assert (again.already_enrolled, again.inactive_skipped) == (5, 1)


def test_due_date_can_be_changed_or_cleared_while_active(free_course, learner, admin):
    enrollment = services.enrollment_assign(user=learner, course=free_course, actor=admin)
    later = DUE + timedelta(days=7)
    assert (
        services.enrollment_due_date_set(enrollment=enrollment, due_at=later, actor=admin).due_at
        == later
    )
    assert (
        services.enrollment_due_date_set(enrollment=enrollment, due_at=None, actor=admin).due_at
        is None
    )
    services.enrollment_cancel(enrollment=enrollment, actor=admin)
    before = enrollment_rows()
    with pytest.raises(ApplicationError) as refused:
        services.enrollment_due_date_set(enrollment=enrollment, due_at=later, actor=admin)
    assert refused.value.code.value == "invalid_transition"
    assert enrollment_rows() == before


def test_source_values_are_the_product_words():
    assert [s.value for s in EnrollmentSource] == ["self", "assigned", "group"]
    assert [s.value for s in EnrollmentStatus] == ["pending", "active", "completed", "cancelled"]
