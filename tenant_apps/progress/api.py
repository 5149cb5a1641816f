"""Progress API under /api/v1/: the enrolled learner records what they did in a lesson;
the learner and those who manage the enrollment read the course's progress."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.enrollments.selectors import enrollment_get
from tenant_apps.progress import selectors, services
from tenant_apps.progress.serializers import (
    CourseProgressOutput,
    EnrollmentProgressOutput,
    LessonProgressInput,
    LessonProgressOutput,
    LessonProgressRecordedOutput,
)


class LessonProgressApi(APIView):
    """PUT and PATCH do the same: both report time spent (a delta), the video position and,
    for lessons that are not quizzes, that the lesson is done."""

    def _record(self, request: Request, enrollment_id: int, lesson_id: int) -> Response:
        enrollment = enrollment_get(actor=request.user, enrollment_id=enrollment_id)
        if enrollment.user_id != request.user.pk:
            raise services.not_your_enrollment()
        lesson = selectors.lesson_of_enrollment(enrollment=enrollment, lesson_id=lesson_id)
        body = LessonProgressInput(data=request.data)
        body.is_valid(raise_exception=True)
        progress = services.lesson_progress_record(
            enrollment=enrollment, lesson=lesson, learner=request.user, **body.validated_data
        )
        course = selectors.course_progress_of(enrollment_id=enrollment.pk)
        return Response(
            {**LessonProgressOutput(progress).data, "course": CourseProgressOutput(course).data}
        )

    @extend_schema(request=LessonProgressInput, responses=LessonProgressRecordedOutput)
    def put(self, request: Request, enrollment_id: int, lesson_id: int) -> Response:
        return self._record(request, enrollment_id, lesson_id)

    @extend_schema(request=LessonProgressInput, responses=LessonProgressRecordedOutput)
    def patch(self, request: Request, enrollment_id: int, lesson_id: int) -> Response:
        return self._record(request, enrollment_id, lesson_id)


class EnrollmentProgressApi(APIView):
    @extend_schema(responses=EnrollmentProgressOutput)
    def get(self, request: Request, enrollment_id: int) -> Response:
        enrollment = enrollment_get(actor=request.user, enrollment_id=enrollment_id)
        enrollment.lessons = selectors.lesson_progress_lines(enrollment=enrollment)
        return Response(EnrollmentProgressOutput(enrollment).data)
