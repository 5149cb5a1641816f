"""Reads on courses. Who sees what:

* published courses: everyone who may take courses (the catalogue), with their sections and
  lessons;
* drafts and archived courses: only those who may edit them (their owner if an author, and
  everyone who may edit all courses); for anyone else they do not exist (404).

Ids from another tenant are not in this schema: 404 as well.
"""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from tenant_apps.courses.models import Category, Course, CourseStatus, Lesson, Section, Tag
from tenant_apps.people.models import User
from tenant_apps.people.permissions import Capability, user_can


def _visible(user: User | None, prefix: str = "") -> Q:
    """The courses `user` may see, as a condition on `prefix` + the course's fields."""
    published = Q(**{f"{prefix}status": CourseStatus.PUBLISHED})
    if user_can(user, Capability.EDIT_ALL_COURSES):
        return Q()
    if user_can(user, Capability.EDIT_OWN_COURSES):
        return published | Q(**{f"{prefix}owner": user})
    return published


def _lesson_count() -> Coalesce:
    # A correlated subquery evaluated for the page's rows only (and left out of COUNT(*)).
    per_course = (
        Lesson.objects.filter(course=OuterRef("pk"))
        .order_by()
        .values("course")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(per_course, output_field=IntegerField()), 0)


def _tag_names() -> ArraySubquery:
    # The names of a course's tags in name order, as an array column of the same row: no
    # second query, no related managers to build for each course.
    names = Tag.objects.filter(courses=OuterRef("pk")).order_by("name").values("name")
    return ArraySubquery(names)


_catalogue_base: QuerySet[Course] | None = None


def _catalogue() -> QuerySet[Course]:
    """The catalogue's joins and annotations, built once per process (building them is
    pure Python work that never changes); each call gets its own clone.

    What lists show of the category and the owner comes as columns of the course's row
    (`category_name`, `category_slug`, `owner_name`) rather than as related objects: two
    model instances fewer per course, and the rest of the owner (password hash included)
    stays in the database."""
    global _catalogue_base
    if _catalogue_base is None:
        _catalogue_base = Course.objects.annotate(
            lesson_count=_lesson_count(),
            tag_names=_tag_names(),
            category_name=F("category__name"),
            category_slug=F("category__slug"),
            owner_name=F("owner__full_name"),
        ).order_by("title", "id")
    return _catalogue_base.all()


def course_catalogue(*, user: User | None) -> QuerySet[Course]:
    """The courses `user` may see, with everything a list of them shows (`tag_names`: the
    tags' names in order), in a fixed number of queries whatever the page size."""
    return _catalogue().filter(_visible(user))


def course_get(*, user: User | None, course_id: int) -> Course:
    """A course `user` may see, for deciding what they may do with it."""
    course = Course.objects.filter(_visible(user), pk=course_id).first()
    if course is None:
        raise Http404("No such course.")
    return course


def _sections_with_lessons() -> QuerySet[Section]:
    return Section.objects.order_by("position").prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("position"))
    )


def course_detail(*, user: User | None, course_id: int) -> Course:
    """A course `user` may see, with its category, tags, owner and its outline (sections
    and their lessons, in order)."""
    course = (
        course_catalogue(user=user)
        .prefetch_related(Prefetch("sections", queryset=_sections_with_lessons()))
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise Http404("No such course.")
    return course


def sections_of(*, course: Course) -> QuerySet[Section]:
    return _sections_with_lessons().filter(course=course)


def section_get(*, user: User | None, section_id: int) -> Section:
    """A section of a course `user` may see, with that course."""
    section = (
        _sections_with_lessons()
        .select_related("course")
        .filter(_visible(user, "course__"), pk=section_id)
        .first()
    )
    if section is None:
        raise Http404("No such section.")
    return section


def lessons_of(*, section: Section) -> QuerySet[Lesson]:
    return Lesson.objects.filter(section=section).order_by("position")


def lesson_get(*, user: User | None, lesson_id: int) -> Lesson:
    """A lesson of a course `user` may see, with its course."""
    lesson = (
        Lesson.objects.select_related("course")
        .filter(_visible(user, "course__"), pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


def category_list() -> QuerySet[Category]:
    return Category.objects.order_by("name", "id")
