"""A learner's way through a course: the course page (outline, enrol, continue), and the
player (lessons with previous/next, mark complete, the video position saved as it plays).

Each view reads with `progress.selectors` (`course_page`, `lesson_player`) and writes with
the same services as the API: `enrollments.services.enrollment_self_enroll` and
`progress.services.lesson_progress_record`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pages import page_requires
from core.purchasing import price_note_for, purchase_offer_for
from tenant_apps.certificates.selectors import certificate_of_enrollment
from tenant_apps.courses.views import may_take_courses
from tenant_apps.enrollments import selectors as enrollment_selectors
from tenant_apps.enrollments.models import EnrollmentStatus
from tenant_apps.enrollments.services import enrollment_self_enroll
from tenant_apps.people.selectors import admins_to_ask
from tenant_apps.progress import selectors, services
from tenant_apps.progress.forms import VideoPositionForm
from tenant_apps.progress.hooks import lesson_panel_for


def _course_page(
    request: HttpRequest, course_id: int, *, error: ApplicationError | None = None
) -> HttpResponse:
    page = selectors.course_page(user=request.user, course_id=course_id)
    enrollment = page.enrollment
    certificate = None
    if enrollment is not None and enrollment.status == EnrollmentStatus.COMPLETED:
        certificate = certificate_of_enrollment(user=request.user, enrollment_id=enrollment.pk)
    pending = enrollment is not None and enrollment.status == EnrollmentStatus.PENDING
    # What a wing (billing) offers for a paid course: price, coupon, Buy; None without one.
    offer = purchase_offer_for(request, page.course, enrollment)
    return render(
        request,
        "progress/course_detail.html",
        {
            "page": page,
            "course": page.course,
            "enrollment": enrollment,
            "certificate": certificate,
            "admins": admins_to_ask() if pending and offer is None else [],
            "offer": offer,
            "price_note": price_note_for(request) if not page.course.is_free else "",
            "error": error,
        },
        status=error.status if error else 200,
    )


@page_requires(may_take_courses)
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    """`/courses/<id>/`: the outline, who teaches it, how long, the price, and the one
    thing to do next: enrol, continue, or (pending) how to get access."""
    return _course_page(request, course_id)


@require_POST
@page_requires(may_take_courses)
def course_enrol(request: HttpRequest, course_id: int) -> HttpResponse:
    """Enrol oneself, as the API's `courses/<id>/enroll` does: a free course opens at once
    (on to its first lesson); a paid one waits for an admin (back to the course page, which
    says whom to ask)."""
    course = enrollment_selectors.course_to_enroll_get(user=request.user, course_id=course_id)
    try:
        enrollment = enrollment_self_enroll(user=request.user, course=course)
    except ApplicationError as exc:
        return _course_page(request, course_id, error=exc)
    if enrollment.status == EnrollmentStatus.PENDING:
        messages.success(
            request,
            _("You asked to join %(title)s. It opens once an admin activates it.")
            % {"title": course.title},
        )
        return redirect("course-detail", course_id=course.pk)
    messages.success(request, _("You are enrolled in %(title)s.") % {"title": course.title})
    return redirect("course-continue", course_id=course.pk)


@page_requires(may_take_courses)
def course_continue(request: HttpRequest, course_id: int) -> HttpResponse:
    """Where "Continue" leads: the first open lesson not done yet (the course page when no
    lesson is open to the person)."""
    page = selectors.course_page(user=request.user, course_id=course_id)
    lesson = page.next_lesson
    if lesson is None:
        return redirect("course-detail", course_id=page.course.pk)
    return redirect("lesson-play", course_id=page.course.pk, lesson_id=lesson.lesson.pk)


def player_render(
    request: HttpRequest,
    course_id: int,
    lesson_id: int,
    *,
    error: ApplicationError | None = None,
) -> HttpResponse:
    """The player page (with a service's refusal shown, when given)."""
    player = selectors.lesson_player(user=request.user, course_id=course_id, lesson_id=lesson_id)
    panel = lesson_panel_for(request, player) if player.current.open else None
    enrollment = player.page.enrollment
    pending = enrollment is not None and enrollment.status == EnrollmentStatus.PENDING
    offer = purchase_offer_for(request, player.page.course, enrollment)
    status = error.status if error else 200
    if not player.current.open and error is None:
        status = 403  # the outline only: the page says how to open the lesson
    return render(
        request,
        "progress/player.html",
        {
            "player": player,
            "page": player.page,
            "course": player.page.course,
            "lesson": player.lesson,
            "enrollment": enrollment,
            "panel": panel,
            "admins": admins_to_ask() if pending and offer is None else [],
            "offer": offer,
            "error": error,
        },
        status=status,
    )


@page_requires(may_take_courses)
def lesson_play(request: HttpRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """`/courses/<id>/lessons/<id>/`: the lesson (video, text, file or quiz) with the
    course's outline beside it. Its content only for those `courses.permissions` opens it
    to; others see the outline and how to get in."""
    return player_render(request, course_id, lesson_id)


@require_POST
@page_requires(may_take_courses)
def lesson_complete(request: HttpRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """Mark a lesson (not a quiz: that is passed) done, then on to the next lesson."""
    player = selectors.lesson_player(user=request.user, course_id=course_id, lesson_id=lesson_id)
    enrollment = player.page.enrollment
    try:
        if enrollment is None:
            raise services.not_enrolled()
        services.lesson_progress_record(
            enrollment=enrollment, lesson=player.lesson, learner=request.user, completed=True
        )
    except ApplicationError as exc:
        return player_render(request, course_id, lesson_id, error=exc)
    messages.success(request, _("Lesson marked as done."))
    if player.next is not None and player.next.open:
        return redirect("lesson-play", course_id=course_id, lesson_id=player.next.lesson.pk)
    return redirect("course-detail", course_id=course_id)


@require_POST
@page_requires(may_take_courses)
def lesson_position(request: HttpRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """The player's script reports the video position (every few seconds and on pause):
    204 when kept, 400 with the reason otherwise, 403 for someone not enrolled."""
    player = selectors.lesson_player(user=request.user, course_id=course_id, lesson_id=lesson_id)
    form = VideoPositionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    enrollment = player.page.enrollment
    if enrollment is None:
        raise services.not_enrolled()
    services.lesson_progress_record(
        enrollment=enrollment,
        lesson=player.lesson,
        learner=request.user,
        last_position_seconds=form.cleaned_data["position"],
        time_spent_delta=form.cleaned_data["watched"] or 0,
    )
    return HttpResponse(status=204)
