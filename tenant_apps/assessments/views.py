"""Taking a quiz: start an attempt, answer it (each answer saved as it is given, or the
whole form at once), submit it, and see the results the quiz's settings allow.

The same services as the API (`attempt_start`, `attempt_answers_save`, `attempt_submit`),
the same reads (`quiz_of_lesson`, `attempt_get`, `attempt_view`); the lesson's content rule
of courses.permissions decides who reaches the quiz at all. The quiz's panel in the course
player is `quiz_panel`, registered with progress.hooks."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError, NotFound
from core.pages import form_errors_show, page_requires
from tenant_apps.assessments import selectors, services
from tenant_apps.assessments.errors import AssessmentErrorCode
from tenant_apps.assessments.forms import AttemptForm, response_text
from tenant_apps.assessments.models import Attempt, AttemptStatus, Quiz
from tenant_apps.courses.models import Lesson
from tenant_apps.courses.selectors import lesson_content_get
from tenant_apps.courses.views import may_take_courses
from tenant_apps.progress.hooks import LessonPanel
from tenant_apps.progress.selectors import PlayerPage
from tenant_apps.progress.views import player_render


def quiz_panel(request: HttpRequest, player: PlayerPage) -> LessonPanel:
    """What the player shows for a quiz lesson: the quiz's rules, one's attempts with the
    results one may see, attempts left, and the button to start or resume."""
    try:
        quiz = selectors.quiz_of_lesson(lesson=player.lesson)
    except NotFound:
        return LessonPanel("assessments/_quiz_panel.html", {"quiz": None})
    services.attempts_overdue_submit(quiz=quiz, learner=request.user)
    overview = selectors.quiz_overview(quiz=quiz, learner=request.user)
    return LessonPanel(
        "assessments/_quiz_panel.html",
        {"quiz": quiz, "overview": overview, "records_progress": player.records_progress},
    )


def _lesson(request: HttpRequest, course_id: int, lesson_id: int) -> Lesson:
    """The quiz lesson of that course, if its content is open to the person (404 / 403)."""
    lesson = lesson_content_get(user=request.user, lesson_id=lesson_id)
    if lesson.course_id != course_id:
        raise NotFound(AssessmentErrorCode.QUIZ_NOT_FOUND, _("No such quiz in this course."))
    return lesson


def _attempt(request: HttpRequest, course_id: int, lesson_id: int, attempt_id: int) -> Attempt:
    quiz = selectors.quiz_of_lesson(lesson=_lesson(request, course_id, lesson_id))
    attempt = selectors.attempt_get(quiz=quiz, attempt_id=attempt_id, viewer=request.user)
    return services.attempt_submit_if_overdue(attempt=attempt)


def _attempt_url(attempt: Attempt) -> str:
    lesson = attempt.quiz.lesson
    return reverse(
        "quiz-attempt",
        kwargs={"course_id": lesson.course_id, "lesson_id": lesson.pk, "attempt_id": attempt.pk},
    )


@require_POST
@page_requires(may_take_courses)
def quiz_start(request: HttpRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """Start an attempt (or resume the running one) and go to it."""
    quiz: Quiz = selectors.quiz_of_lesson(lesson=_lesson(request, course_id, lesson_id))
    try:
        attempt, _created = services.attempt_start(quiz=quiz, learner=request.user)
    except ApplicationError as exc:
        return player_render(request, course_id, lesson_id, error=exc)
    return redirect(_attempt_url(attempt))


def _attempt_page(
    request: HttpRequest, attempt: Attempt, form: AttemptForm | None = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    view = selectors.attempt_view(attempt=attempt, viewer=request.user, now=now)
    running = attempt.status == AttemptStatus.IN_PROGRESS and attempt.learner_id == request.user.pk
    overview = None
    if not running:
        overview = selectors.quiz_overview(quiz=attempt.quiz, learner=attempt.learner, now=now)
    form = form or AttemptForm(questions=view.questions)
    lesson = attempt.quiz.lesson
    results = [
        {
            "question": shown.question,
            "given": response_text(shown, shown.answer.response if shown.answer else None),
            "correct": response_text(shown, shown.correct),
            "points": shown.points_awarded,
            "feedback": shown.feedback,
        }
        for shown in view.questions
    ]
    return render(
        request,
        "assessments/attempt.html",
        {
            "attempt": attempt,
            "view": view,
            "form": form,
            "blocks": form.blocks(),
            "running": running,
            "overview": overview,
            "results": results,
            "lesson": lesson,
            "course": attempt.quiz.course,
            "seconds_left": selectors.seconds_left(attempt=attempt, now=now),
            "show_results": view.staff
            or selectors.results_visible_to_learner(attempt=attempt, now=now),
        },
        status=status,
    )


@page_requires(may_take_courses)
def quiz_attempt(
    request: HttpRequest, course_id: int, lesson_id: int, attempt_id: int
) -> HttpResponse:
    """The attempt: its questions while it runs (saving or handing in the whole form
    works without JavaScript), its results once submitted."""
    attempt = _attempt(request, course_id, lesson_id, attempt_id)
    if request.method != "POST":
        return _attempt_page(request, attempt)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        messages.error(request, _("This attempt is handed in; it takes no more answers."))
        return redirect(_attempt_url(attempt))
    view = selectors.attempt_view(attempt=attempt, viewer=request.user)
    form = AttemptForm(request.POST, questions=view.questions)
    if not form.is_valid():
        return _attempt_page(request, attempt, form, status=400)
    try:
        saved = services.attempt_answers_save(
            attempt=attempt, learner=request.user, answers=form.answers()
        )
        if request.POST.get("action") == "submit":
            saved = services.attempt_submit(attempt=saved, learner=request.user)
    except ApplicationError as exc:
        if exc.code == AssessmentErrorCode.TIME_OVER:
            messages.error(request, exc.message)
            return redirect(_attempt_url(attempt))
        if exc.status == 400:
            form_errors_show(form, exc, form.field_names_of(exc.details))
            return _attempt_page(request, attempt, form, status=400)
        raise
    if saved.status == AttemptStatus.IN_PROGRESS:
        messages.success(request, _("Your answers are saved."))
    else:
        messages.success(request, _("Your answers are handed in."))
    return redirect(_attempt_url(attempt))


@require_POST
@page_requires(may_take_courses)
def quiz_answer(request: HttpRequest, course_id: int, lesson_id: int, attempt_id: int):
    """One question's answer, posted by the attempt page's script as it is given: JSON
    `{"saved": true, "seconds_left": n}`; 400 with the field's errors; 409 when the
    attempt no longer takes answers (with the address of its results)."""
    attempt = _attempt(request, course_id, lesson_id, attempt_id)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return JsonResponse(
            {
                "message": _("This attempt is handed in; it takes no more answers."),
                "redirect": _attempt_url(attempt),
            },
            status=409,
        )
    view = selectors.attempt_view(attempt=attempt, viewer=request.user)
    try:
        question_id = int(request.POST.get("question", ""))
    except ValueError:
        return JsonResponse({"errors": {"question": [_("Name a question.")]}}, status=400)
    form = AttemptForm(request.POST, questions=view.questions, only=question_id)
    if not form.questions:
        return JsonResponse({"errors": {"question": [_("No such question.")]}}, status=400)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    try:
        saved = services.attempt_answers_save(
            attempt=attempt, learner=request.user, answers=form.answers()
        )
    except ApplicationError as exc:
        body = {"message": exc.message, "errors": [d.message for d in exc.details]}
        if exc.status == 409:
            body["redirect"] = _attempt_url(attempt)
        return JsonResponse(body, status=exc.status)
    return JsonResponse({"saved": True, "seconds_left": selectors.seconds_left(attempt=saved)})
