"""The tenant admin's pages for people (`/manage/people/...`) and the tenant's settings
(`/manage/settings/`). Each parses with a form, authorises with the rule the people API
checks (MANAGE_USERS), calls one people service or selector, and renders."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
from tenant_apps.enrollments.selectors import enrollment_list_of_learner
from tenant_apps.people import selectors, services
from tenant_apps.people.hooks import person_sections_for
from tenant_apps.people.manage_forms import (
    GroupForm,
    InviteForm,
    PeopleFilterForm,
    PersonForm,
    RemovalPolicyForm,
    SettingsForm,
)
from tenant_apps.people.models import GroupKind
from tenant_apps.people.permissions import Capability, user_can

PEOPLE_PER_PAGE = 25


def may_manage_people(user) -> bool:
    return user_can(user, Capability.MANAGE_USERS)


@vary_on_headers("HX-Request")
@page_requires(may_manage_people)
def people_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.groups_all()
    form = PeopleFilterForm(request.GET or None, groups=groups)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    people = selectors.people_list_for_admin(
        search=(filters.get("q") or "").strip(),
        role=filters.get("role") or "",
        status=filters.get("status") or "",
        group_id=filters.get("group"),
    )
    page = page_of(request, people, PEOPLE_PER_PAGE)
    context = {"form": form, "page": page, "query": query_without_page(request)}
    template = (
        "people/manage/_people_table.html"
        if partial_wanted(request)
        else "people/manage/people.html"
    )
    return render(request, template, context)


@page_requires(may_manage_people)
def people_invite(request: HttpRequest) -> HttpResponse:
    """Invite one or many people by pasting their e-mail addresses. A line that is not an
    address refuses the whole paste (shown line by line, nothing sent); otherwise everyone
    new is invited and everyone already here reported."""
    groups = selectors.groups_all()
    form = InviteForm(request.POST or None, groups=groups)
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = services.users_invite(
                    emails=form.cleaned_data["emails"],
                    role=form.cleaned_data["role"],
                    group_ids=form.cleaned_data["group_ids"],
                    actor=request.user,
                )
            except ApplicationError as error:
                form_errors_show(form, error)
            else:
                if batch.invited:
                    messages.success(
                        request,
                        ngettext(
                            "Invited %(count)d person: %(emails)s.",
                            "Invited %(count)d people: %(emails)s.",
                            len(batch.invited),
                        )
                        % {
                            "count": len(batch.invited),
                            "emails": ", ".join(user.email for user in batch.invited),
                        },
                    )
                if batch.already_members:
                    messages.info(
                        request,
                        _("Already members, not invited again: %(emails)s.")
                        % {"emails": ", ".join(batch.already_members)},
                    )
                return redirect("manage-people")
        status = 400
    else:
        status = 200
    return render(
        request,
        "people/manage/invite.html",
        {"form": form, "lines": form.lines if form.is_bound else []},
        status=status,
    )


@page_requires(may_manage_people)
def person_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person: their role, groups and department (changed here), whether they may sign
    in, and their enrollments."""
    person = selectors.person_for_admin(user_id=user_id)
    groups = selectors.groups_all()
    member_of = [group.pk for group in person.learner_groups.all()]
    initial = {
        "role": person.role,
        "group_ids": [g.pk for g in groups if g.pk in member_of and g.kind == GroupKind.GROUP],
        "department": next(
            (g.pk for g in groups if g.pk in member_of and g.kind == GroupKind.DEPARTMENT), None
        ),
        "managed_fields": list(person.managed_fields or []),
    }
    form = PersonForm(request.POST or None, initial=initial, groups=groups)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.user_admin_update(
                    user=person,
                    role=form.cleaned_data["role"],
                    group_ids=form.all_group_ids(),
                    actor=request.user,
                )
                services.user_managed_fields_set(
                    user=person, fields=form.cleaned_data["managed_fields"], actor=request.user
                )
            except ApplicationError as error:
                form_errors_show(form, error, {"group_ids": "group_ids"})
            else:
                messages.success(
                    request, _("Saved the changes to %(email)s.") % {"email": person.email}
                )
                return redirect("manage-person", user_id=person.pk)
        status = 400
    enrollments = list(enrollment_list_of_learner(user=person)[:100])
    return render(
        request,
        "people/manage/person.html",
        {
            "person": person,
            "form": form,
            "enrollments": enrollments,
            "sections": person_sections_for(person),
            "removal_policy": selectors.people_policy_read(),
        },
        status=status,
    )


@require_POST
@page_requires(may_manage_people)
def person_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Block a person from signing in: their sessions and tokens stop working at once."""
    person = selectors.user_get(user_id=user_id)
    try:
        services.user_deactivate(user=person, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.details[0].message if error.details else error.message)
    else:
        messages.success(
            request,
            _("Deactivated %(email)s: they are signed out everywhere.") % {"email": person.email},
        )
    return redirect("manage-person", user_id=person.pk)


@require_POST
@page_requires(may_manage_people)
def person_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    person = selectors.user_get(user_id=user_id)
    try:
        services.user_reactivate(user=person, actor=request.user)
    except ApplicationError as error:  # a deleted person, or the plan's learners all taken
        messages.error(request, error.message)
    else:
        messages.success(request, _("Reactivated %(email)s.") % {"email": person.email})
    return redirect("manage-person", user_id=person.pk)


@require_POST
@page_requires(may_manage_people)
def person_remove(request: HttpRequest, user_id: int) -> HttpResponse:
    """Delete a person as the tenant's removal policy says (the person stays listed, as
    deleted, with their learning records)."""
    person = selectors.user_get(user_id=user_id)
    try:
        person = services.user_remove(user=person, actor=request.user)
    except ApplicationError as error:  # themselves, or the last active admin
        messages.error(request, error.message)
    else:
        messages.success(request, _("Deleted the person: they are signed out everywhere."))
    return redirect("manage-person", user_id=person.pk)


@page_requires(may_manage_people)
def groups_page(request: HttpRequest) -> HttpResponse:
    """Groups and departments, and a form to add one."""
    form = GroupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                group = services.group_save(actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form_errors_show(form, error)
            else:
                messages.success(request, _("Added “%(name)s”.") % {"name": group.name})
                return redirect("manage-groups")
        status = 400
    return render(
        request,
        "people/manage/groups.html",
        {"form": form, "groups": list(selectors.group_list())},
        status=status,
    )


def policy_form_page(
    request: HttpRequest,
    form_class: type[forms.Form],
    *,
    template: str,
    saved: str,
    redirect_to: str,
    context: dict | None = None,
) -> HttpResponse:
    """A page of some of the people settings (the form's fields are the settings' names):
    shown as saved, saved through people_policy_update (audited), a refusal on its field."""
    policy = selectors.people_policy_read()
    initial = {name: getattr(policy, name) for name in form_class.base_fields}
    form = form_class(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.people_policy_update(actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form_errors_show(form, error)
            else:
                messages.success(request, saved)
                return redirect(redirect_to)
        status = 400
    return render(request, template, {"form": form, **(context or {})}, status=status)


@page_requires(may_manage_people)
def settings_page(request: HttpRequest) -> HttpResponse:
    """Whether people may register themselves, and the language and time zone new people
    start with. Every change is audited (people_policy_update)."""
    return policy_form_page(
        request,
        SettingsForm,
        template="people/manage/settings.html",
        saved=_("Saved the settings."),
        redirect_to="manage-settings",
    )


@page_requires(may_manage_people)
def removal_page(request: HttpRequest) -> HttpResponse:
    """What happens to a person an admin, the API or SCIM deletes: anonymised at once or
    after a number of days; and how many deleted people are waiting for it."""
    return policy_form_page(
        request,
        RemovalPolicyForm,
        template="people/manage/removal.html",
        saved=_("Saved what happens to deleted people."),
        redirect_to="manage-people-removal",
        context={"waiting": selectors.people_awaiting_anonymisation_count()},
    )
