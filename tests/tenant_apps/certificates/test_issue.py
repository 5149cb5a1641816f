"""Issuing: completing a course with certificates on issues exactly one certificate, in the
completing transaction, with its event, notification, PDF and e-mail."""

from __future__ import annotations

import zoneinfo

import pytest
from django.core import mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict
from tenant_apps.certificates.models import (
    Certificate,
    verification_code_new,
    verification_code_normalise,
)
from tenant_apps.certificates.services import (
    certificate_issue,
    certificate_issue_on_completion,
)
from tenant_apps.courses.models import Course
from tenant_apps.enrollments.hooks import _completed_handlers
from tenant_apps.enrollments.services import enrollment_complete, enrollment_self_enroll
from tenant_apps.events.models import OutboxEvent
from tenant_apps.notifications.models import Notification
from tenant_apps.people.models import User
from tests.tenant_apps.certificates.conftest import (
    CODE,
    certificate_rows,
    course_finish,
    in_tenant,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_the_issuer_is_registered_with_the_completion_hook():
    assert _completed_handlers.count(certificate_issue_on_completion) == 1


def test_completing_a_course_issues_one_certificate_with_event_notification_pdf_and_mail(
    earn, learner, course, tenant_a, tmp_path
):
    before = timezone.now()
    certificate = earn(learner, course, after_commit=True)

    assert CODE.match(certificate.code)
    rows = in_tenant(
        tenant_a,
        lambda: list(
            Certificate.objects.values_list(
                "enrollment__user_id",
                "user_id",
                "course_id",
                "learner_name",
                "course_title",
                "revoked_at",
                "revocation_reason",
                "revoked_by_id",
                "pdf",
            )
        ),
    )
    assert rows == [
        (
            learner.pk,
            learner.pk,
            course.pk,
            "Lena Learner",
            "Safety Basics",
            None,
            "",
            None,
            f"certificates/{certificate.code}.pdf",
        )
    ]
    assert before <= certificate.issued_at <= timezone.now()
    assert certificate.issued_on == certificate.issued_at.astimezone(BERLIN).date()
    assert (tmp_path / tenant_a.schema / "certificates" / f"{certificate.code}.pdf").read_bytes()[
        :5
    ] == b"%PDF-"

    events = in_tenant(
        tenant_a,
        lambda: list(
            OutboxEvent.objects.filter(event_type="certificate.issued").values(
                "subject_type", "subject_id", "payload", "actor_id"
            )
        ),
    )
    assert events == [
        {
            "subject_type": "certificate",
            "subject_id": str(certificate.pk),
            "payload": {
                "id": certificate.pk,
                "code": certificate.code,
                "enrollment_id": certificate.enrollment_id,
                "user_id": learner.pk,
                "course_id": course.pk,
                "learner_name": "Lena Learner",
                "course_title": "Safety Basics",
                "issued_at": DjangoJSONEncoder().default(certificate.issued_at),
                "issued_on": certificate.issued_on.isoformat(),
                "revoked_at": None,
            },
            "actor_id": None,
        }
    ]
    # The certificate is recorded right after the completion, in the same transaction.
    order = in_tenant(
        tenant_a,
        lambda: list(
            OutboxEvent.objects.filter(
                event_type__in=["course.completed", "certificate.issued"]
            ).values_list("event_type", flat=True)
        ),
    )
    assert order == ["course.completed", "certificate.issued"]

    notifications = in_tenant(
        tenant_a,
        lambda: list(
            Notification.objects.filter(kind="certificate").values(
                "recipient_id", "kind", "title", "body", "link"
            )
        ),
    )
    assert notifications == [
        {
            "recipient_id": learner.pk,
            "kind": "certificate",
            "title": "Your certificate for Safety Basics",
            "body": "You completed Safety Basics. Anyone can check your certificate with the "
            f"code {certificate.code}.",
            "link": f"/certificates/verify/{certificate.code}/",
        }
    ]

    (message,) = mail.outbox
    assert message.to == ["lena@example.com"]
    assert message.subject == "You completed Safety Basics: your certificate from Alpha Learning"
    assert message.from_email == "Alpha Learning <no-reply@localhost>"
    verify_url = f"http://alpha.localhost/certificates/verify/{certificate.code}/"
    download_url = f"http://alpha.localhost/certificates/{certificate.pk}/download/"
    assert message.body == (
        "Hello Lena Learner,\n\n"
        "Congratulations on completing Safety Basics! Alpha Learning has issued your "
        "certificate.\n\n"
        f"Anyone you share it with can check it here, with the code {certificate.code}:\n\n"
        f"{verify_url}\n\n"
        "Download it as a PDF while signed in to Alpha Learning:\n\n"
        f"{download_url}\n"
    )
    html = message.alternatives[0][0]
    assert f'href="{verify_url}"' in html
    assert f'href="{download_url}"' in html


def test_a_course_without_certificates_issues_none(
    earn, learner, make_course, tenant_a, django_capture_on_commit_callbacks
):
    plain = make_course(certificate_enabled=False)

    def finish():
        with django_capture_on_commit_callbacks(execute=True):
            return course_finish(learner=learner, course=plain)

    enrollment = in_tenant(tenant_a, finish)
    assert enrollment.status == "completed"
    assert in_tenant(tenant_a, lambda: Certificate.objects.count()) == 0
    assert (
        in_tenant(
            tenant_a, lambda: OutboxEvent.objects.filter(event_type="certificate.issued").count()
        )
        == 0
    )
    assert in_tenant(tenant_a, lambda: Notification.objects.filter(kind="certificate").count()) == 0
    assert mail.outbox == []


def test_completion_runs_once_so_the_certificate_is_issued_once(
    certificate, learner, course, tenant_a
):
    def complete_again_and_issue_again():
        enrollment = certificate.enrollment
        enrollment_complete(enrollment=enrollment, actor=learner)
        enrollment.refresh_from_db()
        return certificate_issue(enrollment=enrollment)

    again = in_tenant(tenant_a, complete_again_and_issue_again)
    assert again.pk == certificate.pk
    assert again.code == certificate.code
    assert in_tenant(tenant_a, lambda: Certificate.objects.count()) == 1
    assert (
        in_tenant(
            tenant_a, lambda: OutboxEvent.objects.filter(event_type="certificate.issued").count()
        )
        == 1
    )


def test_the_database_refuses_a_second_certificate_for_an_enrollment(certificate, tenant_a):
    def insert_duplicate():
        with transaction.atomic():
            Certificate.objects.create(
                enrollment_id=certificate.enrollment_id,
                user_id=certificate.user_id,
                course_id=certificate.course_id,
                code=verification_code_new(),
                learner_name="Someone",
                course_title="Something",
                issued_on=certificate.issued_on,
            )

    with pytest.raises(IntegrityError, match="certificate_one_per_enrollment"):
        in_tenant(tenant_a, insert_duplicate)


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"code": "not-a-code"}, "certificate_code_format"),
        ({"revocation_reason": "no date"}, "certificate_revocation_complete"),
        ({"revoked_at": timezone.now()}, "certificate_revocation_complete"),
    ],
)
def test_the_database_refuses_malformed_certificates(certificate, tenant_a, changes, constraint):
    def update():
        with transaction.atomic():
            Certificate.objects.filter(pk=certificate.pk).update(**changes)

    with pytest.raises(IntegrityError, match=constraint):
        in_tenant(tenant_a, update)


def test_the_certificate_keeps_saying_what_it_said(certificate, learner, course, tenant_a):
    def rename_everything():
        Course.objects.filter(pk=course.pk).update(title="Safety Basics (2032 edition)")
        User.objects.filter(pk=learner.pk).update(full_name="Lena Married-Name")
        return Certificate.objects.get(pk=certificate.pk)

    kept = in_tenant(tenant_a, rename_everything)
    assert (kept.learner_name, kept.course_title, kept.issued_on) == (
        "Lena Learner",
        "Safety Basics",
        certificate.issued_on,
    )


def test_a_learner_without_a_name_is_named_without_their_address(
    earn, make_person, course, tenant_a
):
    nameless = make_person(email="j.doe@example.com", full_name="  ")
    assert earn(nameless, course).learner_name == "a learner of Alpha Learning"


def test_an_enrollment_that_is_not_completed_earns_nothing(learner, course, tenant_a):
    enrollment = in_tenant(tenant_a, lambda: enrollment_self_enroll(user=learner, course=course))
    before = certificate_rows(tenant_a)

    def issue_early():
        with pytest.raises(Conflict) as refused:
            certificate_issue(enrollment=enrollment)
        return refused.value

    refused = in_tenant(tenant_a, issue_early)
    assert (refused.code.value, refused.status) == ("enrollment_not_completed", 409)
    assert certificate_rows(tenant_a) == before


def test_each_learner_gets_a_different_code(earn, make_person, course):
    codes = {earn(make_person(), course).code for _ in range(5)}
    assert len(codes) == 5
    assert all(CODE.match(code) for code in codes)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("7KQ2-M9XD-4HRT-B3VW", "7KQ2-M9XD-4HRT-B3VW"),
        ("7kq2m9xd4hrtb3vw", "7KQ2-M9XD-4HRT-B3VW"),
        (" 7KQ2 M9XD 4HRT B3VW ", "7KQ2-M9XD-4HRT-B3VW"),
        ("7KQ2-M9XD-4HRT-B3VO", "7KQ2-M9XD-4HRT-B3V0"),  # O is read as zero
        ("7KQ2-M9XD-4HRT-B3VI", "7KQ2-M9XD-4HRT-B3V1"),  # I and L as one
        ("7KQ2-M9XD-4HRT-B3V", None),
        ("7KQ2-M9XD-4HRT-B3VWX", None),
        ("7KQ2-M9XD-4HRT-B3VU", None),  # U is not in the alphabet
        ("7KQ2_M9XD_4HRT_B3VW", None),
        ("", None),
    ],
)
def test_codes_are_read_as_people_type_them(typed, stored):
    assert verification_code_normalise(typed) == stored
