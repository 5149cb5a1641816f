"""Who may do what with certificates, over the product's permission matrix.

* Anyone, signed in or not, may verify a certificate by its code (the public page and
  endpoint), and learns only what the certificate itself says.
* A learner sees and downloads their own certificates.
* Admins (`Capability.MANAGE_USERS`) list, download and revoke every certificate.

Revoking is for admins only, not for instructors who can edit the course: a certificate is
issued in the tenant's name, revoking it is an organisational decision recorded in the audit
log (which only admins read), and the matrix lets every instructor edit every course, so
"instructors who can edit the course" would mean every instructor could revoke every
certificate.
"""

from __future__ import annotations

from django.db.models import Q

from tenant_apps.people.models import User
from tenant_apps.people.permissions import Capability, user_can


def user_manages_certificates(user: User | None) -> bool:
    """Admins: list every certificate, download any, revoke."""
    return user_can(user, Capability.MANAGE_USERS)


def visible_certificates_filter(user: User | None) -> Q:
    """The certificates `user` may see and download: every one for admins, else their own."""
    if user_manages_certificates(user):
        return Q()
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    return Q(user_id=user.pk)
