"""The tenant admin's pages for enrollments and assignments (`/manage/enrollments/...`).
Each parses with a form, authorises with the enrollments rules the API checks (admins
manage every enrollment and alone activate pending ones), calls one service or selector,
and renders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.errors import ApplicationError
from core.pages import (
    form_errors_show,
    page_of,
    page_requires,
    partial_wanted,
    query_without_page,
)
from tenant_apps.enrollments import selectors, services
from tenant_apps.enrollments.manage_forms import AssignForm, EnrollmentFilterForm
from tenant_apps.enrollments.permissions import (
    user_can_cancel_enrollment,
    user_manages_all_enrollments,
)
from tenant_apps.people.selectors import groups_all

ENROLLMENTS_PER_PAGE = 25


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the list the form was sent from (its filters and page kept)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("manage-enrollments")


@vary_on_headers("HX-Request")
@page_requires(user_manages_all_enrollments)
def enrollment_list(request: HttpRequest) -> HttpResponse:
    groups = groups_all()
    form = EnrollmentFilterForm(
        request.GET or None, courses=selectors.courses_for_filter(), groups=groups
    )
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    enrollments = selectors.enrollment_list_for_admin(
        actor=request.user,
        course_id=filters.get("course"),
        status=filters.get("status") or "",
        person=(filters.get("person") or "").strip(),
        group_id=filters.get("group"),
    )
    page = page_of(request, enrollments, ENROLLMENTS_PER_PAGE)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "here": request.get_full_path(),
    }
    template = (
        "enrollments/manage/_enrollments_table.html"
        if partial_wanted(request)
        else "enrollments/manage/enrollments.html"
    )
    return render(request, template, context)


@page_requires(user_manages_all_enrollments)
def enrollment_assign(request: HttpRequest) -> HttpResponse:
    """Assign a published course to people and groups, with a due date; everyone enrolled
    is e-mailed (the assignment services)."""
    courses = list(selectors.courses_for_assignment().values_list("id", "title"))
    form = AssignForm(request.POST or None, courses=courses, groups=groups_all())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.enrollments_assign(
                    course=selectors.course_get(
                        course_id=form.cleaned_data["course"], field_name="course_id"
                    ),
                    emails=form.cleaned_data["emails"],
                    group_ids=form.cleaned_data["group_ids"],
                    actor=request.user,
                    due_at=form.due_at(),
                )
            except ApplicationError as error:
                form_errors_show(form, error, {"course_id": "course", "due_at": "due_date"})
            else:
                _report(request, report)
                return redirect("manage-enrollments")
        status = 400
    return render(request, "enrollments/manage/assign.html", {"form": form}, status=status)


def _report(request: HttpRequest, report: services.AssignmentReport) -> None:
    if report.assigned:
        messages.success(
            request, _("Assigned to %(emails)s.") % {"emails": ", ".join(report.assigned)}
        )
    for name, outcome in report.groups:
        messages.success(
            request,
            _(
                "Assigned to the group %(group)s: %(enrolled)d enrolled, %(already)d already "
                "enrolled, %(inactive)d deactivated skipped."
            )
            % {
                "group": name,
                "enrolled": len(outcome.enrolled_ids) + len(outcome.activated_ids),
                "already": outcome.already_enrolled,
                "inactive": outcome.inactive_skipped,
            },
        )
    if report.already_enrolled:
        messages.info(
            request,
            _("Already enrolled, left as they were: %(emails)s.")
            % {"emails": ", ".join(report.already_enrolled)},
        )
    if report.inactive:
        messages.info(
            request,
            _("Deactivated, not enrolled: %(emails)s.") % {"emails": ", ".join(report.inactive)},
        )


@require_POST
@page_requires(user_manages_all_enrollments)
def enrollment_cancel(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(actor=request.user, enrollment_id=enrollment_id)
    if not user_can_cancel_enrollment(request.user, enrollment=enrollment):
        raise PermissionDenied
    try:
        services.enrollment_cancel(enrollment=enrollment, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Cancelled the enrollment of %(email)s in %(course)s.")
            % {"email": enrollment.user.email, "course": enrollment.course.title},
        )
    return _back(request)


@require_POST
@page_requires(user_manages_all_enrollments)
def enrollment_activate(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Grant a pending (paid-course) enrollment: learners are told to ask an admin until
    online payment exists."""
    enrollment = selectors.enrollment_get(actor=request.user, enrollment_id=enrollment_id)
    try:
        services.enrollment_activate(enrollment=enrollment, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Gave %(email)s access to %(course)s.")
            % {"email": enrollment.user.email, "course": enrollment.course.title},
        )
    return _back(request)
