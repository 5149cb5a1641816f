"""Assessments API under /api/v1/: authoring a lesson's quiz, taking it, and grading.

* Reading a quiz's settings: whoever may read the lesson's content
  (courses.selectors.lesson_content_get: 404 when the course is not theirs to see, 403
  when only its outline is). Its questions with their answer keys, and every change to
  the quiz: CREATE_ASSESSMENTS and the right to edit the course (403).
* Attempts: the learner with an active enrollment in the course starts, answers and
  submits their own (403 otherwise); graders of the course may read anyone's attempt.
* Grading (the essay queue, grades, overrides): GRADE_ASSESSMENTS and the right to edit
  the course (403).
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.assessments import selectors, services
from tenant_apps.assessments.models import Answer, Attempt, Quiz
from tenant_apps.assessments.permissions import user_can_author_quizzes, user_can_grade
from tenant_apps.assessments.serializers import (
    AnswersInput,
    AttemptDetailOutput,
    AttemptOutput,
    EssayQueueOutput,
    GradedAnswerOutput,
    GradeInput,
    OverrideInput,
    QuestionInput,
    QuestionOrderInput,
    QuestionOutput,
    QuizInput,
    QuizOutput,
)
from tenant_apps.courses.models import Lesson
from tenant_apps.courses.selectors import lesson_content_get, lesson_get
from tenant_apps.people.permissions import Capability, requires

CanTakeCourses = requires(Capability.TAKE_COURSES)
CanGrade = requires(Capability.GRADE_ASSESSMENTS)

NOT_ALLOWED = gettext_lazy("Your role does not allow this.")
ERRORS = {
    400: OpenApiResponse(description="Invalid fields, named in error.details"),
    403: OpenApiResponse(description="Not allowed"),
    404: OpenApiResponse(description="No such lesson, quiz, attempt or answer you may see"),
}
CONFLICTS = {**ERRORS, 409: OpenApiResponse(description="Conflicts with the current state")}


def _lesson_to_author(request: Request, lesson_id: int) -> Lesson:
    lesson = lesson_get(user=request.user, lesson_id=lesson_id)
    if not user_can_author_quizzes(request.user, course=lesson.course):
        raise exceptions.PermissionDenied(NOT_ALLOWED)
    return lesson


def _quiz(request: Request, lesson_id: int) -> Quiz:
    return selectors.quiz_of_lesson(lesson=lesson_get(user=request.user, lesson_id=lesson_id))


def _quiz_to_author(request: Request, lesson_id: int) -> Quiz:
    return selectors.quiz_of_lesson(lesson=_lesson_to_author(request, lesson_id))


def _attempt(request: Request, lesson_id: int, attempt_id: int) -> Attempt:
    quiz = _quiz(request, lesson_id)
    return selectors.attempt_get(quiz=quiz, attempt_id=attempt_id, viewer=request.user)


def _answer_to_grade(request: Request, answer_id: int, attempt_id: int | None = None) -> Answer:
    answer = selectors.answer_get(answer_id=answer_id, attempt_id=attempt_id)
    if not user_can_grade(request.user, course=answer.attempt.quiz.course):
        raise exceptions.PermissionDenied(NOT_ALLOWED)
    return answer


def _attempt_response(request: Request, attempt: Attempt, code: int = 200) -> Response:
    now = timezone.now()
    view = selectors.attempt_view(attempt=attempt, viewer=request.user, now=now)
    context = {"staff": view.staff, "now": now, "attempt_questions": view.questions}
    return Response(AttemptDetailOutput(attempt, context=context).data, status=code)


# ------------------------------------------------------------------------------------------
# Authoring
class QuizApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(responses={200: QuizOutput, 403: ERRORS[403], 404: ERRORS[404]})
    def get(self, request: Request, lesson_id: int) -> Response:
        lesson = lesson_content_get(user=request.user, lesson_id=lesson_id)
        return Response(QuizOutput(selectors.quiz_of_lesson(lesson=lesson)).data)

    @extend_schema(request=QuizInput, responses={200: QuizOutput, 201: QuizOutput, **ERRORS})
    def put(self, request: Request, lesson_id: int) -> Response:
        """Create the lesson's quiz or replace its settings."""
        lesson = _lesson_to_author(request, lesson_id)
        body = QuizInput(data=request.data)
        body.is_valid(raise_exception=True)
        _quiz_saved, created = services.quiz_save(lesson=lesson, **body.validated_data)
        return Response(
            QuizOutput(selectors.quiz_of_lesson(lesson=lesson)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class QuizQuestionsApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(responses={200: QuestionOutput(many=True), **ERRORS})
    def get(self, request: Request, lesson_id: int) -> Response:
        quiz = _quiz_to_author(request, lesson_id)
        return Response(QuestionOutput(selectors.questions_of(quiz=quiz), many=True).data)

    @extend_schema(request=QuestionInput, responses={201: QuestionOutput, **CONFLICTS})
    def post(self, request: Request, lesson_id: int) -> Response:
        quiz = _quiz_to_author(request, lesson_id)
        body = QuestionInput(data=request.data)
        body.is_valid(raise_exception=True)
        question = services.question_create(quiz=quiz, **body.validated_data)
        return Response(
            QuestionOutput(selectors.question_get(quiz=quiz, question_id=question.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class QuestionOrderApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(
        request=QuestionOrderInput, responses={200: QuestionOutput(many=True), **CONFLICTS}
    )
    def put(self, request: Request, lesson_id: int) -> Response:
        quiz = _quiz_to_author(request, lesson_id)
        body = QuestionOrderInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.questions_reorder(quiz=quiz, question_ids=body.validated_data["question_ids"])
        return Response(QuestionOutput(selectors.questions_of(quiz=quiz), many=True).data)


class QuestionDetailApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(responses={200: QuestionOutput, **ERRORS})
    def get(self, request: Request, lesson_id: int, question_id: int) -> Response:
        quiz = _quiz_to_author(request, lesson_id)
        return Response(
            QuestionOutput(selectors.question_get(quiz=quiz, question_id=question_id)).data
        )

    @extend_schema(request=QuestionInput, responses={200: QuestionOutput, **CONFLICTS})
    def put(self, request: Request, lesson_id: int, question_id: int) -> Response:
        quiz = _quiz_to_author(request, lesson_id)
        question = selectors.question_get(quiz=quiz, question_id=question_id)
        body = QuestionInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.question_update(question=question, **body.validated_data)
        return Response(
            QuestionOutput(selectors.question_get(quiz=quiz, question_id=question_id)).data
        )

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request: Request, lesson_id: int, question_id: int) -> Response:
        quiz = _quiz_to_author(request, lesson_id)
        services.question_remove(
            question=selectors.question_get(quiz=quiz, question_id=question_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------------------
# Taking a quiz
class AttemptsApi(generics.ListAPIView):
    """The caller's own attempts at the lesson's quiz, newest first (GET), and starting
    one (POST)."""

    permission_classes = [CanTakeCourses]
    filter_backends: list = []
    serializer_class = AttemptOutput

    def get(self, request: Request, lesson_id: int) -> Response:
        self.quiz = _quiz(request, lesson_id)
        services.attempts_overdue_submit(quiz=self.quiz, learner=request.user)
        return self.list(request)

    def get_queryset(self) -> QuerySet[Attempt]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Attempt.objects.none()
        return selectors.attempts_of_learner(quiz=self.quiz, learner=self.request.user)

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if hasattr(self, "quiz"):
            context["staff"] = user_can_grade(self.request.user, course=self.quiz.course)
            context["now"] = timezone.now()
        return context

    @extend_schema(
        request=None,
        responses={200: AttemptDetailOutput, 201: AttemptDetailOutput, **CONFLICTS},
        description="Start an attempt, or resume the running one (200).",
    )
    def post(self, request: Request, lesson_id: int) -> Response:
        quiz = _quiz(request, lesson_id)
        attempt, created = services.attempt_start(quiz=quiz, learner=request.user)
        return _attempt_response(
            request, attempt, status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class AttemptDetailApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(responses={200: AttemptDetailOutput, 404: ERRORS[404]})
    def get(self, request: Request, lesson_id: int, attempt_id: int) -> Response:
        attempt = _attempt(request, lesson_id, attempt_id)
        return _attempt_response(request, services.attempt_submit_if_overdue(attempt=attempt))


class AttemptAnswersApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(request=AnswersInput, responses={200: AttemptDetailOutput, **CONFLICTS})
    def put(self, request: Request, lesson_id: int, attempt_id: int) -> Response:
        """Save some answers (the others stay as they were)."""
        attempt = _attempt(request, lesson_id, attempt_id)
        body = AnswersInput(data=request.data)
        body.is_valid(raise_exception=True)
        saved = services.attempt_answers_save(
            attempt=attempt, learner=request.user, answers=body.validated_data["answers"]
        )
        return _attempt_response(request, saved)


class AttemptSubmitApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(request=None, responses={200: AttemptDetailOutput, **CONFLICTS})
    def post(self, request: Request, lesson_id: int, attempt_id: int) -> Response:
        attempt = _attempt(request, lesson_id, attempt_id)
        submitted = services.attempt_submit(attempt=attempt, learner=request.user)
        return _attempt_response(request, submitted)


# ------------------------------------------------------------------------------------------
# Grading
class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class EssayQueueFilter(filters.FilterSet):
    course = IdFilter(field_name="attempt__quiz__course_id", min_value=1, max_value=2**63 - 1)
    lesson = IdFilter(field_name="attempt__quiz__lesson_id", min_value=1, max_value=2**63 - 1)

    class Meta:
        model = Answer
        fields: list[str] = []


class EssayQueueApi(generics.ListAPIView):
    """Essays waiting for a grade in the courses the caller grades, oldest first."""

    permission_classes = [CanGrade]
    serializer_class = EssayQueueOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = EssayQueueFilter

    def get_queryset(self) -> QuerySet[Answer]:
        return selectors.essay_queue(grader=self.request.user)


class EssayGradeApi(APIView):
    permission_classes = [CanGrade]

    @extend_schema(request=GradeInput, responses={200: GradedAnswerOutput, **CONFLICTS})
    def post(self, request: Request, answer_id: int) -> Response:
        answer = _answer_to_grade(request, answer_id)
        body = GradeInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.essay_grade(answer=answer, grader=request.user, **body.validated_data)
        return Response(GradedAnswerOutput(selectors.answer_get(answer_id=answer_id)).data)


class AnswerOverrideApi(APIView):
    permission_classes = [CanGrade]

    @extend_schema(request=OverrideInput, responses={200: GradedAnswerOutput, **CONFLICTS})
    def post(self, request: Request, attempt_id: int, answer_id: int) -> Response:
        """Change the points of a graded answer, with a reason (audited)."""
        answer = _answer_to_grade(request, answer_id, attempt_id)
        body = OverrideInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.answer_points_override(answer=answer, actor=request.user, **body.validated_data)
        return Response(GradedAnswerOutput(selectors.answer_get(answer_id=answer_id)).data)
