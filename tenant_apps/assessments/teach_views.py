"""Authors' pages of assessments (`/teach/`): the quiz builder of a quiz lesson, and the
essay grading queue.

Authorisation is the API's: a lesson of a course one may not see is 404; authoring needs
`user_can_author_quizzes`, grading `user_can_grade` (403 otherwise). Each view calls one
assessment service; a refusal re-renders the form with each field's error beside it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pages import page_of, page_requires
from tenant_apps.assessments import selectors, services
from tenant_apps.assessments.models import Question, QuestionKind, Quiz
from tenant_apps.assessments.permissions import user_can_author_quizzes, user_can_grade
from tenant_apps.assessments.teach_forms import GradeForm, QuestionForm, QuizSettingsForm
from tenant_apps.courses.models import Lesson, LessonKind
from tenant_apps.courses.selectors import lesson_get
from tenant_apps.courses.teach_forms import MoveForm, OrderForm, moved, refusal_show
from tenant_apps.people.permissions import Capability, user_can


def may_author_quizzes(user) -> bool:
    return user_can(user, Capability.CREATE_ASSESSMENTS)


def may_grade(user) -> bool:
    return user_can(user, Capability.GRADE_ASSESSMENTS)


def _lesson_to_author(request: HttpRequest, lesson_id: int) -> Lesson:
    lesson = lesson_get(user=request.user, lesson_id=lesson_id)
    if not user_can_author_quizzes(request.user, course=lesson.course):
        raise PermissionDenied
    if lesson.kind != LessonKind.QUIZ:
        raise Http404("Only a quiz lesson has a quiz.")
    return lesson


def _quiz_or_none(lesson: Lesson) -> Quiz | None:
    try:
        return selectors.quiz_of_lesson(lesson=lesson)
    except ApplicationError:
        return None


def _quiz_url(lesson_id: int, anchor: str = "") -> str:
    url = reverse("teach-quiz", args=[lesson_id])
    return f"{url}#{anchor}" if anchor else url


# ------------------------------------------------------------------------------------------
# The quiz builder
def _builder(
    request: HttpRequest,
    lesson: Lesson,
    *,
    status: int = 200,
    form: QuizSettingsForm | None = None,
) -> HttpResponse:
    quiz = _quiz_or_none(lesson)
    questions = list(selectors.questions_of(quiz=quiz)) if quiz else []
    context = {
        "lesson": lesson,
        "course": lesson.course,
        "quiz": quiz,
        "questions": questions,
        "form": form or QuizSettingsForm(initial=QuizSettingsForm.initial_of(quiz)),
        "kinds": QuestionKind.choices,
    }
    return render(request, "assessments/teach_quiz.html", context, status=status)


@page_requires(may_author_quizzes)
def quiz_builder(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """GET: the quiz's settings and questions. POST: its settings (creating the quiz the
    first time)."""
    lesson = _lesson_to_author(request, lesson_id)
    if request.method != "POST":
        return _builder(request, lesson)
    form = QuizSettingsForm(request.POST)
    if form.is_valid():
        try:
            _quiz, created = services.quiz_save(lesson=lesson, **form.cleaned_data)
        except ApplicationError as error:
            refusal_show(form, error)
        else:
            messages.success(
                request,
                _("The quiz was created: add its questions.")
                if created
                else _("The quiz's settings were saved."),
            )
            return redirect(_quiz_url(lesson.pk, "questions" if created else "settings"))
    return _builder(request, lesson, status=400, form=form)


def _question_page(
    request: HttpRequest,
    lesson: Lesson,
    form: QuestionForm,
    *,
    question: Question | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "lesson": lesson,
        "course": lesson.course,
        "form": form,
        "question": question,
        "kind_label": QuestionKind(form.kind).label,
        "kinds": QuestionKind,
    }
    return render(request, "assessments/teach_question.html", context, status=status)


def _quiz_to_author(request: HttpRequest, lesson_id: int) -> tuple[Lesson, Quiz]:
    lesson = _lesson_to_author(request, lesson_id)
    return lesson, selectors.quiz_of_lesson(lesson=lesson)


def _question_saved(request: HttpRequest, lesson, form, save, done, question=None):
    """Parse the question form and save it through `save(values)`; "More rows" re-renders
    it with two more rows, saving nothing."""
    if request.POST.get("action") == "more":
        return _question_page(request, lesson, form, question=question)
    if form.is_valid():
        try:
            saved = save(form.service_values())
        except ApplicationError as error:
            refusal_show(form, error, form.field_names)
        else:
            messages.success(request, done)
            return redirect(_quiz_url(lesson.pk, f"question-{saved.pk}"))
    return _question_page(request, lesson, form, question=question, status=400)


@page_requires(may_author_quizzes)
def question_new(request: HttpRequest, lesson_id: int, kind: str) -> HttpResponse:
    lesson, quiz = _quiz_to_author(request, lesson_id)
    if kind not in QuestionKind.values:
        raise Http404("No such kind of question.")
    if request.method != "POST":
        return _question_page(request, lesson, QuestionForm(kind=kind, initial={"points": 1}))
    return _question_saved(
        request,
        lesson,
        QuestionForm(request.POST, kind=kind),
        lambda values: services.question_create(quiz=quiz, **values),
        _("The question was added."),
    )


@page_requires(may_author_quizzes)
def question_edit(request: HttpRequest, lesson_id: int, question_id: int) -> HttpResponse:
    lesson, quiz = _quiz_to_author(request, lesson_id)
    question = selectors.question_get(quiz=quiz, question_id=question_id)
    rows = QuestionForm.rows_for(question)
    if request.method != "POST":
        form = QuestionForm(
            kind=question.kind, rows=rows, initial=QuestionForm.initial_of(question)
        )
        return _question_page(request, lesson, form, question=question)
    return _question_saved(
        request,
        lesson,
        QuestionForm(request.POST, kind=question.kind, rows=rows),
        lambda values: services.question_update(question=question, **values),
        _("The question was saved."),
        question=question,
    )


@require_POST
@page_requires(may_author_quizzes)
def question_delete(request: HttpRequest, lesson_id: int, question_id: int) -> HttpResponse:
    lesson, quiz = _quiz_to_author(request, lesson_id)
    services.question_remove(question=selectors.question_get(quiz=quiz, question_id=question_id))
    messages.success(request, _("The question was removed."))
    return redirect(_quiz_url(lesson.pk, "questions"))


def _order_answer(request: HttpRequest, lesson_id: int, anchor: str, error=None) -> HttpResponse:
    message = getattr(error, "message", None) or (str(error) if error else "")
    if request.headers.get("Accept", "").startswith("application/json"):
        if error is None:
            return JsonResponse({"saved": True})
        return JsonResponse({"saved": False, "message": message}, status=400)
    if error is None:
        messages.success(request, _("The new order was saved."))
    else:
        messages.error(request, message)
    return redirect(_quiz_url(lesson_id, anchor))


@require_POST
@page_requires(may_author_quizzes)
def questions_order(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A new order of the quiz's questions (drag and drop)."""
    lesson, quiz = _quiz_to_author(request, lesson_id)
    form = OrderForm(request.POST, field="question_ids")
    if not form.is_valid():
        return _order_answer(request, lesson.pk, "questions", _("Use a list of ids."))
    try:
        services.questions_reorder(quiz=quiz, question_ids=form.cleaned_data["ids"])
    except ApplicationError as error:
        return _order_answer(request, lesson.pk, "questions", error)
    return _order_answer(request, lesson.pk, "questions")


@require_POST
@page_requires(may_author_quizzes)
def question_move(request: HttpRequest, lesson_id: int, question_id: int) -> HttpResponse:
    """One step up or down (the keyboard's alternative to dragging)."""
    lesson, quiz = _quiz_to_author(request, lesson_id)
    question = selectors.question_get(quiz=quiz, question_id=question_id)
    anchor = f"question-{question.pk}"
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _order_answer(request, lesson.pk, anchor, _("Choose up or down."))
    current = [q.pk for q in selectors.questions_of(quiz=quiz)]
    try:
        services.questions_reorder(quiz=quiz, question_ids=moved(current, question.pk, form.offset))
    except ApplicationError as error:
        return _order_answer(request, lesson.pk, anchor, error)
    return _order_answer(request, lesson.pk, anchor)


# ------------------------------------------------------------------------------------------
# Grading
def _queue(
    request: HttpRequest, *, status: int = 200, failed: tuple[int, GradeForm] | None = None
) -> HttpResponse:
    page = page_of(request, selectors.essay_queue(grader=request.user), per_page=10)
    for answer in page.object_list:
        if failed and failed[0] == answer.pk:
            answer.grade_form = failed[1]
        else:
            answer.grade_form = GradeForm(auto_id=f"grade-{answer.pk}-%s")
        answer.text = (answer.response or {}).get("text", "")
    return render(request, "assessments/teach_grading.html", {"page": page}, status=status)


@page_requires(may_grade)
def grading_queue(request: HttpRequest) -> HttpResponse:
    """Essays waiting for a grade in the courses one grades, oldest first."""
    return _queue(request)


@require_POST
@page_requires(may_grade)
def essay_grade(request: HttpRequest, answer_id: int) -> HttpResponse:
    answer = selectors.answer_get(answer_id=answer_id)
    if not user_can_grade(request.user, course=answer.attempt.quiz.course):
        raise PermissionDenied
    form = GradeForm(request.POST, auto_id=f"grade-{answer.pk}-%s")
    if form.is_valid():
        try:
            services.essay_grade(answer=answer, grader=request.user, **form.cleaned_data)
        except ApplicationError as error:
            refusal_show(form, error)
        else:
            messages.success(request, _("The essay was graded; the learner has been told."))
            page = request.POST.get("page", "")
            url = reverse("grading-queue")
            return redirect(f"{url}?page={page}" if page.isdigit() else url)
    return _queue(request, status=400, failed=(answer.pk, form))
