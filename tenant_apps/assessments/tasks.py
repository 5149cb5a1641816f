"""Background work of assessments: telling learners about graded essays, and submitting
attempts whose time ran out."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from core.languages import as_read_by
from tenant_apps.assessments.models import Answer
from tenant_apps.assessments.selectors import results_visible_to_learner
from tenant_apps.assessments.services import attempts_overdue_submit
from tenant_apps.notifications.email_tasks import Email, email_task
from tenant_apps.notifications.services import TenantIdentity


@email_task("tenant_apps.assessments.tasks.essay_graded_send")
def essay_graded_send(answer_id: int, tenant: TenantIdentity) -> Email | None:
    """E-mail a learner that their essay was graded; the points and feedback only where
    the quiz lets them see results."""
    answer = (
        Answer.objects.select_related(
            "question", "attempt__learner", "attempt__quiz__lesson", "attempt__quiz__course"
        )
        .filter(pk=answer_id, points_awarded__isnull=False)
        .first()
    )
    if answer is None or not answer.attempt.learner.is_active:
        return None
    attempt = answer.attempt
    lesson = attempt.quiz.lesson
    with as_read_by(locale=attempt.learner.locale, zone=attempt.learner.zone):
        return Email(
            to=attempt.learner.email,
            subject=_("Your essay in %(title)s was graded") % {"title": lesson.title},
            template="essay_graded",
            context={
                "user": attempt.learner,
                "course": attempt.quiz.course,
                "lesson": lesson,
                "question": answer.question,
                "answer": answer,
                "show_results": results_visible_to_learner(attempt=attempt, now=timezone.now()),
                "link": f"{tenant.base_url}/courses/{attempt.quiz.course_id}/lessons/{lesson.pk}/",
            },
        )


@shared_task(name="tenant_apps.assessments.tasks.overdue_attempts_submit")
def overdue_attempts_submit() -> int:
    """Submit, with what was saved, the attempts of this tenant whose time ran out."""
    return attempts_overdue_submit()
