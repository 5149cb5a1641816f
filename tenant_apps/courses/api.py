"""Courses API under /api/v1/: the catalogue, authoring courses, their sections and lessons.

Reading needs TAKE_COURSES; a course someone may not see is a 404 (see selectors). The
outline (sections, and lessons without their content) is for everyone who sees the course;
a lesson's content only for those `courses.permissions` opens it to (403 otherwise).
Creating courses and categories needs CREATE_COURSES; changing a course, its sections and
lessons needs `user_can_edit_course` (403 otherwise, checked before anything is parsed or
written).
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import FilterBackend
from tenant_apps.courses import catalogue_cache, selectors, services
from tenant_apps.courses.models import Course, CourseStatus, Difficulty, Lesson, Section
from tenant_apps.courses.serializers import (
    AttachmentInput,
    CategoryInput,
    CategoryOutput,
    CourseDetailOutput,
    CourseInput,
    CourseOutput,
    LessonInput,
    LessonMoveInput,
    LessonOrderInput,
    LessonOutlineOutput,
    LessonOutput,
    SectionInput,
    SectionOrderInput,
    SectionOutput,
    ThumbnailInput,
    VideoInput,
)
from tenant_apps.people.permissions import Capability, requires, user_can, user_can_edit_course

CanTakeCourses = requires(Capability.TAKE_COURSES)

NOT_ALLOWED = gettext_lazy("Your role does not allow this.")
ERRORS = {
    400: OpenApiResponse(description="Invalid fields, named in error.details"),
    403: OpenApiResponse(description="Not allowed to change this course"),
    404: OpenApiResponse(description="No such course you may see"),
}
CONFLICTS = {**ERRORS, 409: OpenApiResponse(description="Conflicts with the course's state")}


def _may_create_courses(request: Request) -> None:
    if not user_can(request.user, Capability.CREATE_COURSES):
        raise exceptions.PermissionDenied(NOT_ALLOWED)


def _may_edit(request: Request, course: Course) -> None:
    if not user_can_edit_course(request.user, owner_id=course.owner_id):
        raise exceptions.PermissionDenied(NOT_ALLOWED)


def _course_to_edit(request: Request, course_id: int) -> Course:
    course = selectors.course_get(user=request.user, course_id=course_id)
    _may_edit(request, course)
    return course


def _section_to_edit(request: Request, section_id: int) -> Section:
    section = selectors.section_get(user=request.user, section_id=section_id)
    _may_edit(request, section.course)
    return section


def _lesson_to_edit(request: Request, lesson_id: int) -> Lesson:
    lesson = selectors.lesson_get(user=request.user, lesson_id=lesson_id)
    _may_edit(request, lesson.course)
    return lesson


def _detail(request: Request, course_id: int, code: int = status.HTTP_200_OK) -> Response:
    course = selectors.course_detail(user=request.user, course_id=course_id)
    return Response(CourseDetailOutput(course).data, status=code)


# ------------------------------------------------------------------------------------------
# Catalogue and courses
class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class CourseFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CourseStatus.choices)
    category = IdFilter(field_name="category_id")
    category_slug = filters.CharFilter(field_name="category__slug", lookup_expr="iexact")
    difficulty = filters.ChoiceFilter(choices=Difficulty.choices)
    language = filters.CharFilter(lookup_expr="iexact", max_length=16)
    owner = IdFilter(field_name="owner_id")
    tag = filters.CharFilter(method="filter_tag", max_length=50)
    is_free = filters.BooleanFilter(method="filter_is_free")

    class Meta:
        model = Course
        fields: list[str] = []

    def filter_tag(self, queryset: QuerySet[Course], name: str, value: str) -> QuerySet[Course]:
        return queryset.filter(tags__name__lower=value.strip().lower())

    def filter_is_free(
        self, queryset: QuerySet[Course], name: str, value: bool | None
    ) -> QuerySet[Course]:
        if value is None:
            return queryset
        return queryset.filter(price_amount=0) if value else queryset.filter(price_amount__gt=0)


class CatalogueFilterBackend(FilterBackend):
    """`CourseFilter`, unless the request has no parameter but those other parts of the view
    read: a plain catalogue page (the usual request) then skips building and validating a
    form of empty fields, which would leave the queryset as it is."""

    NOT_FILTERS = frozenset({"page", "page_size", "search", "ordering"})

    def filter_queryset(self, request, queryset, view):
        if self.NOT_FILTERS.issuperset(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StableOrderingFilter(OrderingFilter):
    """Orders as asked, then by id, so that pages never repeat or skip equal rows."""

    def get_ordering(self, request, queryset, view) -> list[str]:
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not any(field.lstrip("-") in {"id", "pk"} for field in ordering):
            ordering.append("-id" if ordering[-1].startswith("-") else "id")
        return ordering


class CourseListApi(generics.ListAPIView):
    """The catalogue: published courses, plus the drafts and archived courses the caller
    may edit. `?status=` narrows it."""

    permission_classes = [CanTakeCourses]
    serializer_class = CourseOutput
    filter_backends = [CatalogueFilterBackend, SearchFilter, StableOrderingFilter]
    filterset_class = CourseFilter
    search_fields = ["title", "description"]
    ordering_fields = ["title", "created_at", "published_at", "price_amount"]
    ordering = ["title", "id"]

    def get_queryset(self) -> QuerySet[Course]:
        return selectors.course_catalogue(user=self.request.user)

    def list(self, request: Request, *args, **kwargs) -> HttpResponseBase:
        """A page everyone sees alike comes, rendered, from this process's kept pages while
        the tenant's catalogue is unchanged (see catalogue_cache); any other page is built
        as usual."""
        shared = selectors.catalogue_is_shared(request.user)
        key = catalogue_cache.page_key(request) if shared else None
        if key is None:
            return super().list(request, *args, **kwargs)
        body = catalogue_cache.catalogue_pages.get(key)
        if body is None:
            body = JSONRenderer().render(super().list(request, *args, **kwargs).data)
            catalogue_cache.catalogue_pages.put(key, body)
        return HttpResponse(body, content_type="application/json")

    @extend_schema(request=CourseInput, responses={201: CourseDetailOutput, **ERRORS})
    def post(self, request: Request) -> Response:
        _may_create_courses(request)
        body = CourseInput(data=request.data)
        body.is_valid(raise_exception=True)
        course = services.course_create(owner=request.user, **body.validated_data)
        return _detail(request, course.pk, status.HTTP_201_CREATED)


class CourseDetailApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(responses={200: CourseDetailOutput, 404: ERRORS[404]})
    def get(self, request: Request, course_id: int) -> Response:
        return _detail(request, course_id)

    @extend_schema(request=CourseInput, responses={200: CourseDetailOutput, **CONFLICTS})
    def patch(self, request: Request, course_id: int) -> Response:
        course = _course_to_edit(request, course_id)
        body = CourseInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.course_update(course=course, actor=request.user, **body.validated_data)
        return _detail(request, course_id)

    @extend_schema(responses={204: None, **CONFLICTS})
    def delete(self, request: Request, course_id: int) -> Response:
        services.course_delete(course=_course_to_edit(request, course_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CoursePublishApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(request=None, responses={200: CourseDetailOutput, **CONFLICTS})
    def post(self, request: Request, course_id: int) -> Response:
        course = _course_to_edit(request, course_id)
        services.course_publish(course=course, actor=request.user)
        return _detail(request, course_id)


class CourseArchiveApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(request=None, responses={200: CourseDetailOutput, **CONFLICTS})
    def post(self, request: Request, course_id: int) -> Response:
        course = _course_to_edit(request, course_id)
        services.course_archive(course=course, actor=request.user)
        return _detail(request, course_id)


class CourseThumbnailApi(APIView):
    permission_classes = [CanTakeCourses]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ThumbnailInput},
        responses={200: CourseDetailOutput, **ERRORS},
    )
    def put(self, request: Request, course_id: int) -> Response:
        course = _course_to_edit(request, course_id)
        body = ThumbnailInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.course_thumbnail_set(course=course, upload=body.validated_data["thumbnail"])
        return _detail(request, course_id)

    @extend_schema(responses={200: CourseDetailOutput, **ERRORS})
    def delete(self, request: Request, course_id: int) -> Response:
        services.course_thumbnail_remove(course=_course_to_edit(request, course_id))
        return _detail(request, course_id)


class CategoryListApi(generics.ListAPIView):
    permission_classes = [CanTakeCourses]
    serializer_class = CategoryOutput
    filter_backends = [SearchFilter]
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.category_list()

    @extend_schema(request=CategoryInput, responses={201: CategoryOutput, **CONFLICTS})
    def post(self, request: Request) -> Response:
        _may_create_courses(request)
        body = CategoryInput(data=request.data)
        body.is_valid(raise_exception=True)
        category = services.category_create(**body.validated_data)
        return Response(CategoryOutput(category).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------------
# Sections
class CourseSectionsApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(responses={200: SectionOutput(many=True), 404: ERRORS[404]})
    def get(self, request: Request, course_id: int) -> Response:
        course = selectors.course_get(user=request.user, course_id=course_id)
        return Response(SectionOutput(selectors.sections_of(course=course), many=True).data)

    @extend_schema(request=SectionInput, responses={201: SectionOutput, **ERRORS})
    def post(self, request: Request, course_id: int) -> Response:
        course = _course_to_edit(request, course_id)
        body = SectionInput(data=request.data)
        body.is_valid(raise_exception=True)
        section = services.section_create(course=course, **body.validated_data)
        found = selectors.section_get(user=request.user, section_id=section.pk)
        return Response(SectionOutput(found).data, status=status.HTTP_201_CREATED)


class SectionOrderApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(
        request=SectionOrderInput, responses={200: SectionOutput(many=True), **CONFLICTS}
    )
    def put(self, request: Request, course_id: int) -> Response:
        course = _course_to_edit(request, course_id)
        body = SectionOrderInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.sections_reorder(course=course, section_ids=body.validated_data["section_ids"])
        return Response(SectionOutput(selectors.sections_of(course=course), many=True).data)


class SectionDetailApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(responses={200: SectionOutput, 404: ERRORS[404]})
    def get(self, request: Request, section_id: int) -> Response:
        return Response(
            SectionOutput(selectors.section_get(user=request.user, section_id=section_id)).data
        )

    @extend_schema(request=SectionInput, responses={200: SectionOutput, **ERRORS})
    def patch(self, request: Request, section_id: int) -> Response:
        section = _section_to_edit(request, section_id)
        body = SectionInput(data=request.data, partial=True)  # a PATCH: `{}` changes nothing
        body.is_valid(raise_exception=True)
        if body.validated_data:
            services.section_update(section=section, **body.validated_data)
        return Response(
            SectionOutput(selectors.section_get(user=request.user, section_id=section_id)).data
        )

    @extend_schema(responses={204: None, **CONFLICTS})
    def delete(self, request: Request, section_id: int) -> Response:
        services.section_delete(section=_section_to_edit(request, section_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------------------
# Lessons
class SectionLessonsApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(responses={200: LessonOutlineOutput(many=True), 404: ERRORS[404]})
    def get(self, request: Request, section_id: int) -> Response:
        """The section's lessons as the outline shows them; content: `lessons/{id}`."""
        section = selectors.section_get(user=request.user, section_id=section_id)
        return Response(LessonOutlineOutput(selectors.lessons_of(section=section), many=True).data)

    @extend_schema(request=LessonInput, responses={201: LessonOutput, **ERRORS})
    def post(self, request: Request, section_id: int) -> Response:
        section = _section_to_edit(request, section_id)
        body = LessonInput(data=request.data)
        body.is_valid(raise_exception=True)
        lesson = services.lesson_create(section=section, **body.validated_data)
        return Response(LessonOutput(lesson).data, status=status.HTTP_201_CREATED)


class LessonOrderApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(request=LessonOrderInput, responses={200: LessonOutput(many=True), **CONFLICTS})
    def put(self, request: Request, section_id: int) -> Response:
        section = _section_to_edit(request, section_id)
        body = LessonOrderInput(data=request.data)
        body.is_valid(raise_exception=True)
        lessons = services.lessons_reorder(
            section=section, lesson_ids=body.validated_data["lesson_ids"]
        )
        return Response(LessonOutput(lessons, many=True).data)


class LessonChangeInput(LessonInput):
    """A lesson's changes: anything but its kind, which is fixed once it is made."""

    kind = None


class LessonDetailApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(
        responses={
            200: LessonOutput,
            403: OpenApiResponse(description="Only the outline is open to the caller"),
            404: ERRORS[404],
        }
    )
    def get(self, request: Request, lesson_id: int) -> Response:
        """A lesson with its content: for enrollees, the course's staff, and free previews."""
        return Response(
            LessonOutput(selectors.lesson_content_get(user=request.user, lesson_id=lesson_id)).data
        )

    @extend_schema(request=LessonChangeInput, responses={200: LessonOutput, **ERRORS})
    def patch(self, request: Request, lesson_id: int) -> Response:
        lesson = _lesson_to_edit(request, lesson_id)
        body = LessonChangeInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        return Response(
            LessonOutput(services.lesson_update(lesson=lesson, **body.validated_data)).data
        )

    @extend_schema(responses={204: None, **CONFLICTS})
    def delete(self, request: Request, lesson_id: int) -> Response:
        services.lesson_delete(lesson=_lesson_to_edit(request, lesson_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LessonMoveApi(APIView):
    permission_classes = [CanTakeCourses]

    @extend_schema(request=LessonMoveInput, responses={200: LessonOutput, **ERRORS})
    def post(self, request: Request, lesson_id: int) -> Response:
        lesson = _lesson_to_edit(request, lesson_id)
        body = LessonMoveInput(data=request.data)
        body.is_valid(raise_exception=True)
        moved = services.lesson_move(lesson=lesson, **body.validated_data)
        return Response(LessonOutput(moved).data)


class LessonAttachmentApi(APIView):
    permission_classes = [CanTakeCourses]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentInput}, responses={200: LessonOutput, **ERRORS}
    )
    def put(self, request: Request, lesson_id: int) -> Response:
        lesson = _lesson_to_edit(request, lesson_id)
        body = AttachmentInput(data=request.data)
        body.is_valid(raise_exception=True)
        stored = services.lesson_attachment_set(
            lesson=lesson, upload=body.validated_data["attachment"]
        )
        return Response(LessonOutput(stored).data)


class LessonVideoApi(APIView):
    permission_classes = [CanTakeCourses]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": VideoInput}, responses={200: LessonOutput, **ERRORS}
    )
    def put(self, request: Request, lesson_id: int) -> Response:
        lesson = _lesson_to_edit(request, lesson_id)
        body = VideoInput(data=request.data)
        body.is_valid(raise_exception=True)
        stored = services.lesson_video_set(lesson=lesson, upload=body.validated_data["video_file"])
        return Response(LessonOutput(stored).data)
