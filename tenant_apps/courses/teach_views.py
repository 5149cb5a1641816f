"""Authors' pages for courses (`/teach/`): the course builder and its lesson editors.

Each view parses a form, authorises with the API's own rules (a course one may not see is
404, one one may see but not edit is 403: `people.permissions.user_can_edit_course`), calls
one course service and redirects with a message; a service's refusal re-renders the page
with each field's error next to it (status 400). Reordering posts to the same services the
API's `.../order` endpoints call, from the drag-and-drop script (JSON answers) or from plain
"Move up"/"Move down" forms (redirects), which work without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pages import page_requires
from tenant_apps.courses import selectors, services
from tenant_apps.courses.limits import BODY_MARKDOWN_MAX
from tenant_apps.courses.models import Course, CourseStatus, Lesson, LessonKind, Section
from tenant_apps.courses.rendering import markdown_to_html
from tenant_apps.courses.teach_forms import (
    NEW_COURSE_INITIAL,
    AttachmentUploadForm,
    CourseForm,
    LessonForm,
    LessonSectionForm,
    MarkdownPreviewForm,
    MoveForm,
    NewLessonForm,
    OrderForm,
    SectionForm,
    ThumbnailForm,
    VideoUploadForm,
    moved,
    refusal_show,
)
from tenant_apps.people.permissions import (
    Capability,
    user_can,
    user_can_edit_course,
    user_can_view_course_analytics,
)


def may_author(user) -> bool:
    """Who may open the authors' pages: everyone who may create (and so edit) courses."""
    return user_can(user, Capability.CREATE_COURSES)


def _may_edit(request: HttpRequest, course: Course) -> None:
    if not user_can_edit_course(request.user, owner_id=course.owner_id):
        raise PermissionDenied


def _course_to_edit(request: HttpRequest, course_id: int) -> Course:
    course = selectors.course_get(user=request.user, course_id=course_id)
    _may_edit(request, course)
    return course


def _section_to_edit(request: HttpRequest, section_id: int) -> Section:
    section = selectors.section_get(user=request.user, section_id=section_id)
    _may_edit(request, section.course)
    return section


def _lesson_to_edit(request: HttpRequest, lesson_id: int) -> Lesson:
    lesson = selectors.lesson_get(user=request.user, lesson_id=lesson_id)
    _may_edit(request, lesson.course)
    return lesson


def _wants_json(request: HttpRequest) -> bool:
    """The drag-and-drop script asks for JSON; plain forms get a redirect."""
    return request.headers.get("Accept", "").startswith("application/json")


def _builder_url(course_id: int, anchor: str = "") -> str:
    url = reverse("teach-course", args=[course_id])
    return f"{url}#{anchor}" if anchor else url


# ------------------------------------------------------------------------------------------
# The builder
def _builder(
    request: HttpRequest,
    course_id: int,
    *,
    status: int = 200,
    details_form: CourseForm | None = None,
    thumbnail_form: ThumbnailForm | None = None,
    new_section_form: SectionForm | None = None,
    section_forms: dict[int, SectionForm] | None = None,
    lesson_forms: dict[int, NewLessonForm] | None = None,
    status_error: ApplicationError | None = None,
) -> HttpResponse:
    course = selectors.course_detail(user=request.user, course_id=course_id)
    categories = list(selectors.category_list())
    sections = list(course.sections.all())
    section_forms = section_forms or {}
    lesson_forms = lesson_forms or {}
    for section in sections:
        section.rename_form = section_forms.get(section.pk) or SectionForm(
            initial={"title": section.title}, auto_id=f"section-{section.pk}-%s"
        )
        section.new_lesson_form = lesson_forms.get(section.pk) or NewLessonForm(
            auto_id=f"new-lesson-{section.pk}-%s"
        )
    context: dict[str, Any] = {
        "course": course,
        "sections": sections,
        "lesson_count": sum(len(section.lessons.all()) for section in sections),
        "details_form": details_form
        or CourseForm(initial=CourseForm.initial_of(course), categories=categories),
        "thumbnail_form": thumbnail_form or ThumbnailForm(),
        "new_section_form": new_section_form or SectionForm(auto_id="new-section-%s"),
        "status_error": status_error,
        "publish_refusal": (
            services.course_publish_refusal(course=course)
            if course.status == CourseStatus.DRAFT
            else None
        ),
        "statuses": CourseStatus,
        "kinds": LessonKind,
        "may_view_analytics": user_can_view_course_analytics(
            request.user, owner_id=course.owner_id
        ),
    }
    return render(request, "courses/teach_builder.html", context, status=status)


@page_requires(may_author)
def course_new(request: HttpRequest) -> HttpResponse:
    categories = list(selectors.category_list())
    if request.method != "POST":
        form = CourseForm(initial=NEW_COURSE_INITIAL, categories=categories)
        return render(request, "courses/teach_course_new.html", {"form": form})
    form = CourseForm(request.POST, categories=categories)
    if form.is_valid():
        try:
            course = services.course_create(owner=request.user, **form.service_values())
        except ApplicationError as error:
            refusal_show(form, error)
        else:
            messages.success(
                request, _("The course “%(title)s” was created.") % {"title": course.title}
            )
            return redirect("teach-course", course_id=course.pk)
    return render(request, "courses/teach_course_new.html", {"form": form}, status=400)


@page_requires(may_author)
def course_builder(request: HttpRequest, course_id: int) -> HttpResponse:
    """GET: the builder. POST: the course's details."""
    course = _course_to_edit(request, course_id)
    if request.method != "POST":
        return _builder(request, course_id)
    form = CourseForm(request.POST, categories=list(selectors.category_list()))
    if form.is_valid():
        try:
            services.course_update(course=course, actor=request.user, **form.service_values())
        except ApplicationError as error:
            refusal_show(form, error)
        else:
            messages.success(request, _("The course's details were saved."))
            return redirect(_builder_url(course_id, "details"))
    return _builder(request, course_id, status=400, details_form=form)


@require_POST
@page_requires(may_author)
def course_thumbnail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course_to_edit(request, course_id)
    form = ThumbnailForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.course_thumbnail_set(course=course, upload=form.cleaned_data["thumbnail"])
        except ApplicationError as error:
            refusal_show(form, error)
        else:
            messages.success(request, _("The thumbnail was saved."))
            return redirect(_builder_url(course_id, "thumbnail"))
    return _builder(request, course_id, status=400, thumbnail_form=form)


@require_POST
@page_requires(may_author)
def course_thumbnail_remove(request: HttpRequest, course_id: int) -> HttpResponse:
    services.course_thumbnail_remove(course=_course_to_edit(request, course_id))
    messages.success(request, _("The thumbnail was removed."))
    return redirect(_builder_url(course_id, "thumbnail"))


def _status_change(request: HttpRequest, course_id: int, change, done: str) -> HttpResponse:
    course = _course_to_edit(request, course_id)
    try:
        change(course)
    except ApplicationError as error:
        return _builder(request, course_id, status=400, status_error=error)
    messages.success(request, done)
    return redirect(_builder_url(course_id, "status"))


@require_POST
@page_requires(may_author)
def course_publish(request: HttpRequest, course_id: int) -> HttpResponse:
    return _status_change(
        request,
        course_id,
        lambda course: services.course_publish(course=course, actor=request.user),
        _("The course is published: it is in the catalogue now."),
    )


@require_POST
@page_requires(may_author)
def course_archive(request: HttpRequest, course_id: int) -> HttpResponse:
    return _status_change(
        request,
        course_id,
        lambda course: services.course_archive(course=course, actor=request.user),
        _("The course is archived: it has left the catalogue."),
    )


@require_POST
@page_requires(may_author)
def course_delete(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course_to_edit(request, course_id)
    try:
        services.course_delete(course=course)
    except ApplicationError as error:
        return _builder(request, course_id, status=400, status_error=error)
    messages.success(request, _("The course “%(title)s” was deleted.") % {"title": course.title})
    return redirect("teach-courses")


# ------------------------------------------------------------------------------------------
# Sections
@require_POST
@page_requires(may_author)
def section_add(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course_to_edit(request, course_id)
    form = SectionForm(request.POST, auto_id="new-section-%s")
    if form.is_valid():
        try:
            section = services.section_create(course=course, title=form.cleaned_data["title"])
        except ApplicationError as error:
            refusal_show(form, error)
        else:
            messages.success(
                request, _("The section “%(title)s” was added.") % {"title": section.title}
            )
            return redirect(_builder_url(course_id, f"section-{section.pk}"))
    return _builder(request, course_id, status=400, new_section_form=form)


@require_POST
@page_requires(may_author)
def section_rename(request: HttpRequest, section_id: int) -> HttpResponse:
    section = _section_to_edit(request, section_id)
    form = SectionForm(request.POST, auto_id=f"section-{section.pk}-%s")
    if form.is_valid():
        try:
            services.section_update(section=section, title=form.cleaned_data["title"])
        except ApplicationError as error:
            refusal_show(form, error)
        else:
            messages.success(request, _("The section was renamed."))
            return redirect(_builder_url(section.course_id, f"section-{section.pk}"))
    return _builder(request, section.course_id, status=400, section_forms={section.pk: form})


@require_POST
@page_requires(may_author)
def section_delete(request: HttpRequest, section_id: int) -> HttpResponse:
    section = _section_to_edit(request, section_id)
    try:
        services.section_delete(section=section)
    except ApplicationError as error:
        return _builder(request, section.course_id, status=400, status_error=error)
    messages.success(request, _("The section “%(title)s” was deleted.") % {"title": section.title})
    return redirect(_builder_url(section.course_id, "outline"))


def _order_answer(request: HttpRequest, course_id: int, anchor: str, error=None) -> HttpResponse:
    if _wants_json(request):
        if error is None:
            return JsonResponse({"saved": True})
        return JsonResponse(
            {"saved": False, "message": error.message if hasattr(error, "message") else str(error)},
            status=400,
        )
    if error is None:
        messages.success(request, _("The new order was saved."))
    else:
        messages.error(request, error.message if hasattr(error, "message") else str(error))
    return redirect(_builder_url(course_id, anchor))


@require_POST
@page_requires(may_author)
def sections_order(request: HttpRequest, course_id: int) -> HttpResponse:
    """A new order of the course's sections (drag and drop)."""
    course = _course_to_edit(request, course_id)
    form = OrderForm(request.POST, field="section_ids")
    if not form.is_valid():
        return _order_answer(request, course_id, "outline", _("Use a list of ids."))
    try:
        services.sections_reorder(course=course, section_ids=form.cleaned_data["ids"])
    except ApplicationError as error:
        return _order_answer(request, course_id, "outline", error)
    return _order_answer(request, course_id, "outline")


@require_POST
@page_requires(may_author)
def section_move(request: HttpRequest, section_id: int) -> HttpResponse:
    """One step up or down (the keyboard's alternative to dragging)."""
    section = _section_to_edit(request, section_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _order_answer(request, section.course_id, "outline", _("Choose up or down."))
    current = [s.pk for s in selectors.sections_of(course=section.course)]
    try:
        services.sections_reorder(
            course=section.course, section_ids=moved(current, section.pk, form.offset)
        )
    except ApplicationError as error:
        return _order_answer(request, section.course_id, f"section-{section.pk}", error)
    return _order_answer(request, section.course_id, f"section-{section.pk}")


# ------------------------------------------------------------------------------------------
# Lessons
@require_POST
@page_requires(may_author)
def lesson_add(request: HttpRequest, section_id: int) -> HttpResponse:
    section = _section_to_edit(request, section_id)
    form = NewLessonForm(request.POST, auto_id=f"new-lesson-{section.pk}-%s")
    if form.is_valid():
        try:
            lesson = services.lesson_create(
                section=section, title=form.cleaned_data["title"], kind=form.cleaned_data["kind"]
            )
        except ApplicationError as error:
            refusal_show(form, error)
        else:
            messages.success(
                request, _("The lesson “%(title)s” was added.") % {"title": lesson.title}
            )
            return redirect(_builder_url(section.course_id, f"lesson-{lesson.pk}"))
    return _builder(request, section.course_id, status=400, lesson_forms={section.pk: form})


@require_POST
@page_requires(may_author)
def lessons_order(request: HttpRequest, section_id: int) -> HttpResponse:
    """A new order of a section's lessons (drag and drop)."""
    section = _section_to_edit(request, section_id)
    anchor = f"section-{section.pk}"
    form = OrderForm(request.POST, field="lesson_ids")
    if not form.is_valid():
        return _order_answer(request, section.course_id, anchor, _("Use a list of ids."))
    try:
        services.lessons_reorder(section=section, lesson_ids=form.cleaned_data["ids"])
    except ApplicationError as error:
        return _order_answer(request, section.course_id, anchor, error)
    return _order_answer(request, section.course_id, anchor)


@require_POST
@page_requires(may_author)
def lesson_move(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A lesson one step up or down in its section (`direction`), or to a place in another
    section of the course (`section_id`, `position`: dragged there, or chosen in a list)."""
    lesson = _lesson_to_edit(request, lesson_id)
    anchor = f"lesson-{lesson.pk}"
    if "direction" in request.POST:
        form = MoveForm(request.POST)
        if not form.is_valid():
            return _order_answer(request, lesson.course_id, anchor, _("Choose up or down."))
        target = {
            "section_id": lesson.section_id,
            "position": max(1, lesson.position + form.offset),
        }
    else:
        form = LessonSectionForm(request.POST)
        if not form.is_valid():
            return _order_answer(request, lesson.course_id, anchor, _("Choose a section."))
        target = {
            "section_id": form.cleaned_data["section_id"],
            "position": form.cleaned_data["position"],
        }
    try:
        services.lesson_move(lesson=lesson, **target)
    except ApplicationError as error:
        return _order_answer(request, lesson.course_id, anchor, error)
    return _order_answer(request, lesson.course_id, anchor)


@require_POST
@page_requires(may_author)
def lesson_delete(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson_to_edit(request, lesson_id)
    try:
        services.lesson_delete(lesson=lesson)
    except ApplicationError as error:
        return _builder(request, lesson.course_id, status=400, status_error=error)
    messages.success(request, _("The lesson “%(title)s” was deleted.") % {"title": lesson.title})
    return redirect(_builder_url(lesson.course_id, f"section-{lesson.section_id}"))


def _lesson_page(
    request: HttpRequest,
    lesson: Lesson,
    *,
    status: int = 200,
    form: LessonForm | None = None,
    upload_form=None,
    preview_html: str | None = None,
) -> HttpResponse:
    if upload_form is None:
        if lesson.kind == LessonKind.VIDEO:
            upload_form = VideoUploadForm()
        elif lesson.kind == LessonKind.FILE:
            upload_form = AttachmentUploadForm()
    context = {
        "lesson": lesson,
        "course": lesson.course,
        "form": form or LessonForm(initial=LessonForm.initial_of(lesson), kind=lesson.kind),
        "upload_form": upload_form,
        "preview_html": preview_html,
        "kinds": LessonKind,
    }
    return render(request, "courses/teach_lesson.html", context, status=status)


@page_requires(may_author)
def lesson_edit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """GET: a lesson's editor. POST: its content; `action=preview` (without JavaScript)
    shows the Markdown as learners will see it, saving nothing."""
    lesson = _lesson_to_edit(request, lesson_id)
    if request.method != "POST":
        return _lesson_page(request, lesson)
    form = LessonForm(request.POST, kind=lesson.kind)
    if request.POST.get("action") == "preview" and lesson.kind == LessonKind.TEXT:
        form.is_valid()
        markdown = request.POST.get("body_markdown", "")
        return _lesson_page(request, lesson, form=form, preview_html=_preview(markdown))
    if form.is_valid():
        try:
            services.lesson_update(lesson=lesson, **form.cleaned_data)
        except ApplicationError as error:
            refusal_show(form, error)
        else:
            messages.success(request, _("The lesson was saved."))
            return redirect("teach-lesson", lesson_id=lesson.pk)
    return _lesson_page(request, lesson, status=400, form=form)


def _upload(request: HttpRequest, lesson_id: int, form_class, store, done: str) -> HttpResponse:
    lesson = _lesson_to_edit(request, lesson_id)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            store(lesson, next(iter(form.cleaned_data.values())))
        except ApplicationError as error:
            refusal_show(form, error)
        else:
            messages.success(request, done)
            return redirect("teach-lesson", lesson_id=lesson.pk)
    return _lesson_page(request, lesson, status=400, upload_form=form)


@require_POST
@page_requires(may_author)
def lesson_video(request: HttpRequest, lesson_id: int) -> HttpResponse:
    return _upload(
        request,
        lesson_id,
        VideoUploadForm,
        lambda lesson, upload: services.lesson_video_set(lesson=lesson, upload=upload),
        _("The video was uploaded."),
    )


@require_POST
@page_requires(may_author)
def lesson_attachment(request: HttpRequest, lesson_id: int) -> HttpResponse:
    return _upload(
        request,
        lesson_id,
        AttachmentUploadForm,
        lambda lesson, upload: services.lesson_attachment_set(lesson=lesson, upload=upload),
        _("The document was uploaded."),
    )


def _preview(markdown: str) -> str:
    """The Markdown as the player shows it: the same rendering and sanitising."""
    if len(markdown) > BODY_MARKDOWN_MAX:
        return ""
    return markdown_to_html(markdown)


@require_POST
@page_requires(may_author)
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The preview the text editor asks for with HTMX: a fragment of sanitised HTML."""
    form = MarkdownPreviewForm(request.POST)
    form.is_valid()
    markdown = form.cleaned_data.get("body_markdown", "")
    too_long = len(markdown) > BODY_MARKDOWN_MAX
    return render(
        request,
        "courses/_markdown_preview.html",
        {"preview_html": _preview(markdown), "too_long": too_long, "limit": BODY_MARKDOWN_MAX},
        status=400 if too_long else 200,
    )
