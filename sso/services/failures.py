"""A refused sign-in through a provider: an audit event with a support reference, and the
words the login page shows (never a 500, never the technical detail to the public)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from sso.errors import SsoErrorCode
from sso.models import IdentityProvider
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record

# What people see on the login page, by error code; the full reason goes to the audit log
# (and to the test-connection trace) under the same support reference.
_PUBLIC_MESSAGES = {
    SsoErrorCode.PERSON_DEACTIVATED: _("Your account in this portal is deactivated."),
    SsoErrorCode.PERSON_UNKNOWN: _("You do not have an account in this portal yet."),
    SsoErrorCode.EMAIL_TAKEN: _("An account with your e-mail already exists here."),
    SsoErrorCode.PROVIDER_DISABLED: _("This sign-in method is switched off."),
    SsoErrorCode.PROVIDER_NOT_FOUND: _("This sign-in method does not exist."),
    SsoErrorCode.ATTRIBUTE_MISSING: _("Your organisation's sign-in did not say who you are."),
}
_GENERIC = _("Single sign-on did not work.")


def support_reference() -> str:
    """A short code people quote to their admin; it finds the audit event."""
    return "SSO-" + secrets.token_hex(4).upper()


def login_failure_record(
    *, provider: IdentityProvider | None, error: ApplicationError, detail: str = ""
) -> tuple[str, str]:
    """Audit a refused sign-in (in its own transaction, so it stays when the sign-in's is
    rolled back) and return (support reference, message for the login page)."""
    reference = support_reference()
    code = getattr(error.code, "value", str(error.code))
    with transaction.atomic():
        if provider is not None:
            audit_record(
                action=AuditAction.SSO_LOGIN_FAILED,
                actor=None,
                target=provider,
                after={
                    "reference": reference,
                    "code": code,
                    "reason": error.message,
                    "detail": detail[:2000],
                },
            )
    public = _PUBLIC_MESSAGES.get(error.code, _GENERIC)
    return (
        reference,
        gettext("%(reason)s If this keeps happening, give your admin the reference %(reference)s.")
        % {"reason": public, "reference": reference},
    )
