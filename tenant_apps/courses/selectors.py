"""Reads on courses. Who sees what:

* published courses: everyone who may take courses (the catalogue), with their sections and
  lessons;
* drafts and archived courses: only those who may edit them (their owner if an author, and
  everyone who may edit all courses); for anyone else they do not exist (404);
* a lesson's content: see courses.permissions (403 for those who see only the outline).

Ids from another tenant are not in this schema: 404 as well.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import CharField, IntegerField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from tenant_apps.courses.errors import CourseErrorCode
from tenant_apps.courses.models import Category, Course, CourseStatus, Lesson, Section, Tag
from tenant_apps.courses.permissions import user_can_read_lesson_content
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


def catalogue_is_shared(user: User | None) -> bool:
    """Whether `user` sees the catalogue everyone sees: published courses only, with
    nothing of their own (no drafts, no archived courses). Only such pages may be kept for
    others (see catalogue_cache)."""
    return not (
        user_can(user, Capability.EDIT_ALL_COURSES) or user_can(user, Capability.EDIT_OWN_COURSES)
    )


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _course_column(field: str) -> str:
    # The outer query's course row: Django names it after the table, with no alias.
    return f"{_table(Course)}.{connection.ops.quote_name(Course._meta.get_field(field).column)}"


def _correlated(sql: str, output_field) -> RawSQL:
    # `sql` holds only identifiers quoted from the models' metadata, never input; hence the
    # `noqa` on the statements below.
    return RawSQL(sql, (), output_field=output_field)  # noqa: S611


def _per_course_sql() -> dict[str, RawSQL]:
    """What a catalogue row shows besides the course's own columns, each a correlated
    subquery evaluated for the page's rows only.

    Written as SQL rather than as ORM subqueries: the ORM compiles every nested query again
    for every request, and a catalogue page is the busiest read there is. Being
    annotations without joins, they are also left out of the page count's COUNT(*)."""
    course_id, category_id, owner_id = map(_course_column, ("id", "category", "owner"))
    lesson, tag, category, user = _table(Lesson), _table(Tag), _table(Category), _table(User)
    course_tags = _table(Course.tags.through)
    return {
        "lesson_count": _correlated(
            f"SELECT COUNT(*) FROM {lesson} WHERE {lesson}.course_id = {course_id}",  # noqa: S608
            IntegerField(),
        ),
        # The tags' names in name order, as an array: no second query, no related
        # managers to build for each course.
        "tag_names": _correlated(
            f"ARRAY(SELECT {tag}.name FROM {tag} JOIN {course_tags} "  # noqa: S608
            f"ON {course_tags}.tag_id = {tag}.id "
            f"WHERE {course_tags}.course_id = {course_id} ORDER BY 1)",
            ArrayField(CharField()),
        ),
        "category_name": _correlated(
            f"SELECT name FROM {category} WHERE id = {category_id}",  # noqa: S608
            CharField(),
        ),
        "category_slug": _correlated(
            f"SELECT slug FROM {category} WHERE id = {category_id}",  # noqa: S608
            CharField(),
        ),
        "owner_name": _correlated(
            f"SELECT full_name FROM {user} WHERE id = {owner_id}",  # noqa: S608
            CharField(),
        ),
    }


_catalogue_base: QuerySet[Course] | None = None


def _catalogue() -> QuerySet[Course]:
    """The catalogue's annotations, built once per process (building them is pure Python
    work that never changes); each call gets its own clone.

    What lists show of the category and the owner comes as columns of the course's row
    (`category_name`, `category_slug`, `owner_name`) rather than as related objects: two
    model instances fewer per course, and the rest of the owner (password hash included)
    stays in the database."""
    global _catalogue_base
    if _catalogue_base is None:
        _catalogue_base = Course.objects.annotate(**_per_course_sql()).order_by("title", "id")
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


def lesson_content_get(*, user: User | None, lesson_id: int) -> Lesson:
    """A lesson whose content `user` may read (see courses.permissions). 404 when its course
    is not theirs to see; 403 `lesson_content_locked` when they see only the outline."""
    lesson = lesson_get(user=user, lesson_id=lesson_id)
    if not user_can_read_lesson_content(user, lesson=lesson):
        raise ApplicationError(
            code=CourseErrorCode.LESSON_CONTENT_LOCKED,
            message=_("Enrol in this course to open this lesson."),
            status=403,
        )
    return lesson


def lesson_file_readable(*, user: User | None, course_id: int, lesson_id: int) -> bool:
    """Whether `user` may download the files of that lesson (its video, its attachment):
    exactly those who may read its content."""
    lesson = (
        Lesson.objects.select_related("course")
        .filter(_visible(user, "course__"), pk=lesson_id, course_id=course_id)
        .first()
    )
    return lesson is not None and user_can_read_lesson_content(user, lesson=lesson)


def category_list() -> QuerySet[Category]:
    return Category.objects.order_by("name", "id")


def course_catalogue_search(
    *,
    user: User | None,
    category_slug: str = "",
    difficulty: str = "",
    language: str = "",
    is_free: bool | None = None,
    search: str = "",
) -> QuerySet[Course]:
    """The catalogue (`course_catalogue`) narrowed as the portal's filters ask, the same
    way the API's filters and search do: every word of `search` in the title or the
    description, combined with the other filters."""
    courses = course_catalogue(user=user)
    if category_slug:
        courses = courses.filter(category__slug__iexact=category_slug)
    if difficulty:
        courses = courses.filter(difficulty=difficulty)
    if language:
        courses = courses.filter(language__iexact=language)
    if is_free is not None:
        courses = courses.filter(price_amount=0) if is_free else courses.filter(price_amount__gt=0)
    for word in search.split():
        courses = courses.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return courses


def catalogue_languages(*, user: User | None) -> list[str]:
    """The languages of the courses `user` sees, for the catalogue's language filter."""
    return list(
        Course.objects.filter(_visible(user))
        .order_by("language")
        .values_list("language", flat=True)
        .distinct()
    )
