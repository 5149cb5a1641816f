"""Enrollments API under /api/v1/: enrolling oneself, one's enrollments, and (for admins and
instructors) assigning courses to people and groups. Who may do what:
`tenant_apps.enrollments.permissions`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import MomentFilter
from core.errors import ApplicationError
from tenant_apps.enrollments import selectors, services
from tenant_apps.enrollments.errors import EnrollmentErrorCode
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.enrollments.permissions import (
    user_can_cancel_enrollment,
    user_can_manage_course_enrollments,
    user_manages_some_enrollments,
)
from tenant_apps.enrollments.serializers import (
    MAX_ID,
    AssignInput,
    DueDateInput,
    EnrollmentOutput,
    GroupAssignInput,
    GroupAssignmentOutput,
)
from tenant_apps.people.models import User
from tenant_apps.people.permissions import Capability, requires

CanTakeCourses = requires(Capability.TAKE_COURSES)
CanActivate = requires(Capability.MANAGE_USERS)


class ManagesEnrollments(BasePermission):
    message = gettext_lazy("Your role does not allow managing enrollments.")

    def has_permission(self, request, view) -> bool:
        return user_manages_some_enrollments(request.user)


def _not_allowed(message: str) -> ApplicationError:
    return ApplicationError(code=EnrollmentErrorCode.NOT_ALLOWED, message=message, status=403)


def _output(actor: User, enrollment: Enrollment, code: int = status.HTTP_200_OK) -> Response:
    """Read the enrollment back with its progress, as `actor` sees it."""
    found = selectors.enrollment_get(actor=actor, enrollment_id=enrollment.pk)
    return Response(EnrollmentOutput(found).data, status=code)


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class MyEnrollmentFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=EnrollmentStatus.choices)
    course = IdFilter(field_name="course_id")

    class Meta:
        model = Enrollment
        fields = ["status", "course"]


class EnrollmentFilter(MyEnrollmentFilter):
    user = IdFilter(field_name="user_id")
    group = IdFilter(field_name="group_id")
    due_before = MomentFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Enrollment
        fields = ["status", "course", "user", "group", "due_before"]


ORDERING_FIELDS = ["created_at", "due_at", "progress_percent"]


# ------------------------------------------------------------------------------------------
# Learners
class SelfEnrollApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(request=None, responses={201: EnrollmentOutput})
    def post(self, request: Request, course_id: int) -> Response:
        course = selectors.course_to_enroll_get(user=request.user, course_id=course_id)
        enrollment = services.enrollment_self_enroll(user=request.user, course=course)
        return _output(request.user, enrollment, status.HTTP_201_CREATED)


class MyEnrollmentListApi(generics.ListAPIView):
    serializer_class = EnrollmentOutput
    filterset_class = MyEnrollmentFilter
    ordering_fields = ORDERING_FIELDS

    def get_queryset(self):
        return selectors.enrollment_list_of_learner(user=self.request.user)


# ------------------------------------------------------------------------------------------
# Everyone who may see an enrollment: the learner, and those who manage it
class EnrollmentListApi(generics.ListAPIView):
    permission_classes = [ManagesEnrollments]
    serializer_class = EnrollmentOutput
    filterset_class = EnrollmentFilter
    search_fields = ["user__email", "user__full_name", "course__title"]
    ordering_fields = ORDERING_FIELDS

    def get_queryset(self):
        return selectors.enrollment_list_managed(actor=self.request.user)

    @extend_schema(
        request=AssignInput,
        responses={
            201: EnrollmentOutput,
            404: OpenApiResponse(description="No such person or course you may see"),
        },
    )
    def post(self, request: Request) -> Response:
        body = AssignInput(data=request.data)
        body.is_valid(raise_exception=True)
        course = selectors.course_get(
            course_id=body.validated_data["course_id"], field_name="course_id"
        )
        if not user_can_manage_course_enrollments(request.user, course=course):
            raise _not_allowed(_("You may not assign this course."))
        person = selectors.person_get(user_id=body.validated_data["user_id"], field_name="user_id")
        enrollment = services.enrollment_assign(
            user=person, course=course, actor=request.user, due_at=body.validated_data["due_at"]
        )
        return _output(request.user, enrollment, status.HTTP_201_CREATED)


class EnrollmentDetailApi(APIView):
    @extend_schema(responses=EnrollmentOutput)
    def get(self, request: Request, enrollment_id: int) -> Response:
        enrollment = selectors.enrollment_get(actor=request.user, enrollment_id=enrollment_id)
        return Response(EnrollmentOutput(enrollment).data)

    @extend_schema(request=DueDateInput, responses=EnrollmentOutput)
    def patch(self, request: Request, enrollment_id: int) -> Response:
        enrollment = selectors.enrollment_get(actor=request.user, enrollment_id=enrollment_id)
        if not user_can_manage_course_enrollments(request.user, course=enrollment.course):
            raise _not_allowed(_("You may not change this enrollment."))
        body = DueDateInput(data=request.data, partial=True)  # a PATCH: `{}` changes nothing
        body.is_valid(raise_exception=True)
        if "due_at" in body.validated_data:
            services.enrollment_due_date_set(
                enrollment=enrollment, due_at=body.validated_data["due_at"], actor=request.user
            )
        return _output(request.user, enrollment)


class EnrollmentCancelApi(APIView):
    @extend_schema(request=None, responses=EnrollmentOutput)
    def post(self, request: Request, enrollment_id: int) -> Response:
        enrollment = selectors.enrollment_get(actor=request.user, enrollment_id=enrollment_id)
        if not user_can_cancel_enrollment(request.user, enrollment=enrollment):
            raise _not_allowed(_("An assigned course can only be dropped by whoever manages it."))
        services.enrollment_cancel(enrollment=enrollment, actor=request.user)
        return _output(request.user, enrollment)


class EnrollmentActivateApi(APIView):
    """Admins grant a pending (paid) enrollment; billing calls the same service when paid."""

    permission_classes = [CanActivate]

    @extend_schema(request=None, responses=EnrollmentOutput)
    def post(self, request: Request, enrollment_id: int) -> Response:
        enrollment = selectors.enrollment_get(actor=request.user, enrollment_id=enrollment_id)
        services.enrollment_activate(enrollment=enrollment, actor=request.user)
        return _output(request.user, enrollment)


class CourseAssignGroupApi(APIView):
    permission_classes = [ManagesEnrollments]

    @extend_schema(request=GroupAssignInput, responses=GroupAssignmentOutput)
    def post(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(course_id=course_id)
        if not user_can_manage_course_enrollments(request.user, course=course):
            raise _not_allowed(_("You may not assign this course."))
        body = GroupAssignInput(data=request.data)
        body.is_valid(raise_exception=True)
        group = selectors.group_get(group_id=body.validated_data["group_id"], field_name="group_id")
        assignment = services.enrollment_assign_group(
            group=group, course=course, actor=request.user, due_at=body.validated_data["due_at"]
        )
        return Response(GroupAssignmentOutput(assignment).data)
