"""The tenant admin's SSO pages (`/manage/sso/...`): identity providers (list, add from
metadata / preset / by hand, edit, attribute mapping with a preview, metadata import and
refresh, delete), test connections and their traces, the sign-in policy and the SP keys.
Each page authorises with the API's rule (MANAGE_SSO), calls one service, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.errors import ApplicationError, ValidationFailed
from core.pages import page_requires, partial_wanted
from sso.errors import SsoErrorCode
from sso.hooks import can_manage_sso
from sso.links import login_path, sp_metadata_path, test_run_path
from sso.manage_forms import (
    ATTRIBUTE_LABELS,
    MappingForm,
    MetadataForm,
    OidcAddForm,
    PolicyForm,
    ProviderForm,
    SamlAddForm,
    service_errors_show,
)
from sso.models import (
    MAPPED_ATTRIBUTES,
    ConnectionTest,
    IdentityProvider,
    ServiceProviderKey,
    TestRunStatus,
)
from sso.services import keys, metadata, policy, providers, trace
from sso.services.certificates import certificate_statuses, provider_certificate_facts
from sso.services.provisioning import AssertedIdentity, identity_map
from tenant_apps.people.models import LearnerGroup, Role, User


def _absolute(request: HttpRequest, path: str | None) -> str | None:
    return request.build_absolute_uri(path) if path else None


@page_requires(can_manage_sso)
def sso_home(request: HttpRequest) -> HttpResponse:
    """The identity providers with their state, certificate expiry, metadata refresh and
    SP metadata URL; and every certificate sign-in depends on."""
    rows = [
        {
            "provider": provider,
            "certificates": provider_certificate_facts(provider),
            "sp_metadata_url": _absolute(request, sp_metadata_path(provider)),
        }
        for provider in providers.providers_all()
    ]
    return render(
        request,
        "sso/manage/providers.html",
        {"rows": rows, "statuses": certificate_statuses(), "policy": policy.sso_policy()},
    )


def _created(request: HttpRequest, provider: IdentityProvider) -> HttpResponse:
    messages.success(
        request,
        _("Added %(name)s. Check its attribute mapping, then test the connection.")
        % {"name": provider.name},
    )
    return redirect("manage-sso-provider", provider_id=provider.pk)


@page_requires(can_manage_sso)
def provider_add_saml(request: HttpRequest) -> HttpResponse:
    """A SAML provider from its metadata (URL or XML) or by hand, with an optional preset."""
    form = SamlAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if form.from_metadata():
                    provider = metadata.provider_create_from_metadata(
                        actor=request.user, **form.common_values(), **form.metadata_values()
                    )
                else:
                    provider = providers.provider_create(
                        actor=request.user,
                        kind="saml",
                        **form.common_values(),
                        **form.manual_values(),
                    )
            except ApplicationError as error:
                service_errors_show(form, error)
            else:
                return _created(request, provider)
        status = 400
    return render(request, "sso/manage/add_saml.html", {"form": form}, status=status)


@page_requires(can_manage_sso)
def provider_add_oidc(request: HttpRequest) -> HttpResponse:
    form = OidcAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                provider = providers.provider_create(actor=request.user, **form.values())
            except ApplicationError as error:
                service_errors_show(form, error)
            else:
                return _created(request, provider)
        status = 400
    return render(request, "sso/manage/add_oidc.html", {"form": form}, status=status)


def _provider_page(
    request: HttpRequest, provider: IdentityProvider, form, metadata_form, status: int
):
    last_test = provider.connection_tests.order_by("-created_at").first()
    return render(
        request,
        "sso/manage/provider.html",
        {
            "provider": provider,
            "form": form,
            "metadata_form": metadata_form,
            "certificates": provider_certificate_facts(provider),
            "sp_metadata_url": _absolute(request, sp_metadata_path(provider)),
            "login_url": _absolute(request, login_path(provider)),
            "last_test": last_test,
        },
        status=status,
    )


@page_requires(can_manage_sso)
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = providers.provider_get(provider_id=provider_id)
    form = ProviderForm(request.POST or None, provider=provider)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                providers.provider_update(provider=provider, actor=request.user, **form.values())
            except ApplicationError as error:
                service_errors_show(form, error)
            else:
                messages.success(request, _("Saved %(name)s.") % {"name": provider.name})
                return redirect("manage-sso-provider", provider_id=provider.pk)
        status = 400
        provider.refresh_from_db()
    return _provider_page(request, provider, form, MetadataForm(), status)


@require_POST
@page_requires(can_manage_sso)
def provider_metadata(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Import metadata into a SAML provider, or (`refresh`) fetch its metadata URL again."""
    provider = providers.provider_get(provider_id=provider_id)
    if "refresh" in request.POST:
        try:
            metadata.provider_metadata_refresh(provider=provider, actor=request.user)
        except ApplicationError as error:
            reason = "; ".join(d.message for d in error.details) or error.message
            messages.error(
                request,
                _("The metadata was not refreshed; the settings stay as they were. %(why)s")
                % {"why": reason},
            )
        else:
            messages.success(request, _("Refreshed the metadata."))
        return redirect("manage-sso-provider", provider_id=provider.pk)
    form = MetadataForm(request.POST)
    if form.is_valid():
        try:
            metadata.provider_metadata_import(
                provider=provider, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            service_errors_show(form, error)
        else:
            messages.success(request, _("Took the settings from the metadata."))
            return redirect("manage-sso-provider", provider_id=provider.pk)
    return _provider_page(request, provider, ProviderForm(provider=provider), form, 400)


@require_POST
@page_requires(can_manage_sso)
def provider_delete(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = providers.provider_get(provider_id=provider_id)
    try:
        providers.provider_delete(provider=provider, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("manage-sso-provider", provider_id=provider.pk)
    messages.success(request, _("Deleted %(name)s.") % {"name": provider.name})
    return redirect("manage-sso")


def _preview(provider: IdentityProvider, test: ConnectionTest | None):
    """(mapped person or None, why not): the last test's attributes under `provider`'s
    mapping (which may hold unsaved values)."""
    if test is None or not test.attributes:
        return None, ""
    subject = str((test.mapped or {}).get("subject", ""))
    try:
        return identity_map(provider, AssertedIdentity(subject, test.attributes)), ""
    except ApplicationError as error:
        return None, error.message


@page_requires(can_manage_sso)
def provider_mapping(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Attribute names and group rules, with a preview of the person the last test run's
    attributes make ("Preview" shows it with what was typed, without saving)."""
    provider = providers.provider_get(provider_id=provider_id)
    groups = list(LearnerGroup.objects.order_by("name"))
    form = MappingForm(request.POST or None, provider=provider, groups=groups)
    status = 200
    shown = provider
    if request.method == "POST":
        if form.is_valid():
            if "preview" in request.POST:
                shown = IdentityProvider(
                    **{
                        f.attname: getattr(provider, f.attname)
                        for f in provider._meta.concrete_fields
                    }
                )
                for key, value in form.values().items():
                    setattr(shown, key, value)
            else:
                try:
                    providers.provider_update(
                        provider=provider, actor=request.user, **form.values()
                    )
                except ApplicationError as error:
                    service_errors_show(form, error)
                else:
                    messages.success(request, _("Saved the mapping."))
                    return redirect("manage-sso-mapping", provider_id=provider.pk)
        if not form.is_valid():
            status = 400
    test = provider.connection_tests.exclude(attributes={}).order_by("-created_at").first()
    preview, preview_error = _preview(shown, test)
    group_names = {group.pk: group.name for group in groups}
    return render(
        request,
        "sso/manage/mapping.html",
        {
            "provider": provider,
            "form": form,
            "attribute_fields": [form[key] for key in MAPPED_ATTRIBUTES],
            "test": test,
            "preview": preview,
            "preview_error": preview_error,
            "preview_groups": [group_names.get(pk, pk) for pk in preview.tenant_group_ids]
            if preview
            else [],
        },
        status=status,
    )


@require_POST
@page_requires(can_manage_sso)
def test_start(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Create a test run and go to the provider's login marked as a test (the page's form
    opens this in a new tab); the round trip ends on the trace page."""
    provider = providers.provider_get(provider_id=provider_id)
    test = trace.test_run_start(provider=provider, actor=request.user)
    start = test_run_path(test)
    if start is None:
        trace.trace_finish(
            test,
            failure=_("Sign-in through this kind of provider is not available on this server."),
        )
        return redirect("manage-sso-test", test_id=test.pk)
    return redirect(start)


# Module constants: worded lazily, in the language of the admin reading the trace.
# Advice by the refusal's code (SsoErrorCode).
_FAILURE_HINTS = {
    SsoErrorCode.AUDIENCE_WRONG: gettext_lazy(
        "The identity provider addressed its answer to another service. Check that the "
        "Entity ID / audience it has for Lectern is this provider's SP entity ID."
    ),
    SsoErrorCode.SIGNATURE_INVALID: gettext_lazy(
        "The answer was signed with a key whose certificate is not among this provider's "
        "signing certificates. Refresh the metadata or paste the new certificate."
    ),
    SsoErrorCode.CLOCK: gettext_lazy(
        "The clocks of the identity provider and this server differ too much, or the answer "
        "was too old. Check both clocks or allow a larger clock difference."
    ),
    SsoErrorCode.ATTRIBUTE_MISSING: gettext_lazy(
        "The identity provider did not send an attribute the mapping needs. Compare the "
        "attributes below with the mapping."
    ),
}


@vary_on_headers("HX-Request")
@page_requires(can_manage_sso)
def test_trace(request: HttpRequest, test_id) -> HttpResponse:
    """A test run step by step: what was checked, what was seen, the attributes and the
    person they map onto, and on failure the reason in plain words. While it runs, the page
    asks again every few seconds (htmx; a refresh link without JavaScript)."""
    test = ConnectionTest.objects.select_related("provider").filter(pk=test_id).first()
    if test is None:
        raise Http404
    attributes = sorted((test.attributes or {}).items())
    mapped = test.mapped or {}
    hint = _FAILURE_HINTS.get(test.failure_code)
    hints = [hint] if hint else []
    context = {
        "test": test,
        "provider": test.provider,
        "running": test.status == TestRunStatus.STARTED,
        "attributes": attributes,
        "mapped": [
            (ATTRIBUTE_LABELS.get(key, key), value)
            for key, value in mapped.items()
            if value not in ("", [], None)
        ],
        "hints": hints,
    }
    template = (
        "sso/manage/_test_trace.html"
        if partial_wanted(request, "test-trace")
        else "sso/manage/test.html"
    )
    return render(request, template, context)


@page_requires(can_manage_sso)
def policy_page(request: HttpRequest) -> HttpResponse:
    """SSO only, the break-glass admins and the default provider (sso_policy_update)."""
    current = policy.sso_policy()
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True).order_by("email"))
    all_providers = providers.providers_all()
    form = PolicyForm(
        request.POST or None,
        admins=admins,
        providers=all_providers,
        initial={
            "sso_only": current.sso_only,
            "break_glass_admin_ids": list(current.break_glass_admins.values_list("pk", flat=True)),
            "default_provider_id": current.default_provider_id,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                policy.sso_policy_update(actor=request.user, **form.cleaned_data)
            except ValidationFailed as error:
                service_errors_show(form, error, {"default_provider": "default_provider_id"})
            else:
                messages.success(request, _("Saved the sign-in policy."))
                return redirect("manage-sso-policy")
        status = 400
    return render(request, "sso/manage/policy.html", {"form": form}, status=status)


@page_requires(can_manage_sso)
def keys_page(request: HttpRequest) -> HttpResponse:
    """This portal's SAML SP keys and their rollover: publish the next key (IdPs that read
    the SP metadata learn it), then activate it."""
    if request.method == "POST":
        try:
            if "activate" in request.POST:
                keys.sp_key_next_activate(actor=request.user)
                messages.success(request, _("The next key signs from now on."))
            else:
                keys.sp_key_next_create(actor=request.user)
                messages.success(
                    request,
                    _(
                        "Published the next key in the SP metadata. Activate it once your "
                        "identity providers have read the new metadata."
                    ),
                )
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("manage-sso-keys")
    keys.sp_key_active()
    found = list(ServiceProviderKey.objects.all())
    from sso.services.certificates import certificate_facts

    rows = [{"key": key, "facts": certificate_facts(key.certificate_pem)} for key in found]
    return render(
        request,
        "sso/manage/keys.html",
        {"rows": rows, "has_next": any(key.state == "next" for key in found)},
    )
