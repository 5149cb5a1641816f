"""Just-in-time provisioning: from what a provider asserts about a person to that person in
this tenant. The first sign-in creates them (mapped attributes, groups, role); later sign-ins
bring the mapped attributes up to date, except the fields an admin marked as managed in
Lectern. The tenant is the one the connection points at (the request's host): a provider's
identity never reaches another tenant's people."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from sso.errors import SsoErrorCode, SsoRefused
from sso.models import ExternalIdentity, IdentityProvider
from tenant_apps.audit.models import AuditAction
from tenant_apps.audit.services import audit_record
from tenant_apps.people import services as people_services
from tenant_apps.people.models import GroupKind, LearnerGroup, Role, User

# Highest first: when several group rules grant a role, the highest wins.
_ROLE_RANK = {Role.ADMIN: 4, Role.INSTRUCTOR: 3, Role.CONTENT_CREATOR: 2, Role.LEARNER: 1}


@dataclass(frozen=True)
class AssertedIdentity:
    """What a provider said about a person: its subject (SAML NameID, OIDC `sub`) and the
    attributes or claims, each a list of strings."""

    subject: str
    attributes: Mapping[str, list[str]]
    # Whether the provider vouches for the e-mail (SAML: asserted at all; OIDC:
    # `email_verified`). Linking to an existing account needs it.
    email_verified: bool = True


@dataclass
class MappedPerson:
    """The person an identity maps onto (shown in the test-connection trace too)."""

    email: str
    full_name: str = ""
    employee_number: str = ""
    department: str = ""
    groups: list[str] = field(default_factory=list)
    # None: no group rule applied (a new person gets the provider's default role).
    role_from_groups: str | None = None
    tenant_group_ids: list[int] = field(default_factory=list)
    # Tenant groups some rule governs: people are added to or removed from these only.
    governed_group_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _first(attributes: Mapping[str, list[str]], name: str) -> str:
    if not name:
        return ""
    values = _values(attributes, name)
    return values[0].strip() if values else ""


def _values(attributes: Mapping[str, list[str]], name: str) -> list[str]:
    if not name:
        return []
    if name in attributes:
        raw = attributes[name]
    else:  # attribute names compare case-insensitively (OIDC claims and Okta alike)
        lowered = name.lower()
        raw = next((v for k, v in attributes.items() if k.lower() == lowered), [])
    if isinstance(raw, str | int | bool):
        raw = [raw]
    return [str(value) for value in raw or [] if str(value).strip()]


def identity_map(provider: IdentityProvider, identity: AssertedIdentity) -> MappedPerson:
    """The person `identity` describes under `provider`'s mapping and group rules. Refuses
    an identity without an e-mail, naming the attribute the mapping expected."""
    mapping = provider.attribute_mapping or {}
    attributes = identity.attributes
    email_attribute = mapping.get("email", "")
    email = _first(attributes, email_attribute)
    if not email and "@" in identity.subject:
        email = identity.subject  # an e-mail NameID
    email = email.strip().lower()
    if not email or "@" not in email:
        if email_attribute:
            reason = _(
                "The identity provider sent no e-mail address: the attribute %(attribute)s "
                "was missing or empty, and the NameID is not an e-mail address."
            ) % {"attribute": repr(email_attribute)}
        else:
            reason = _(
                "The identity provider sent no e-mail address: the mapping was missing or "
                "empty, and the NameID is not an e-mail address."
            )
        raise SsoRefused(SsoErrorCode.ATTRIBUTE_MISSING, reason)
    display = _first(attributes, mapping.get("display_name", ""))
    first = _first(attributes, mapping.get("first_name", ""))
    last = _first(attributes, mapping.get("last_name", ""))
    full_name = display or " ".join(part for part in (first, last) if part)
    groups = _values(attributes, mapping.get("groups", ""))
    person = MappedPerson(
        email=email,
        full_name=full_name[:200],
        employee_number=_first(attributes, mapping.get("employee_number", ""))[:64],
        department=_first(attributes, mapping.get("department", ""))[:120],
        groups=groups,
    )
    asserted = {group.lower() for group in groups}
    granted = [
        rule["role"]
        for rule in provider.group_role_rules or []
        if str(rule.get("group", "")).lower() in asserted and rule.get("role") in _ROLE_RANK
    ]
    if granted:
        person.role_from_groups = max(granted, key=lambda role: _ROLE_RANK[role])
    for rule in provider.group_membership_rules or []:
        group_id = rule.get("tenant_group")
        if not isinstance(group_id, int):
            continue
        person.governed_group_ids.append(group_id)
        if str(rule.get("group", "")).lower() in asserted:
            person.tenant_group_ids.append(group_id)
    return person


def _refuse_inactive(user: User) -> None:
    if not user.is_active:
        raise SsoRefused(
            SsoErrorCode.PERSON_DEACTIVATED,
            _(
                "%(email)s is deactivated in this organisation's portal; the identity "
                "provider's yes does not override that. An admin can reactivate them."
            )
            % {"email": user.email},
        )


def _person_find(provider: IdentityProvider, identity: AssertedIdentity, person: MappedPerson):
    """(user or None, link or None): the person this identity signed in as before, else an
    existing account with the asserted e-mail where the provider may link to it."""
    link = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider, subject=identity.subject)
        .first()
    )
    if link is not None:
        return link.user, link
    existing = User.objects.filter(email__lower=person.email).first()
    if existing is None:
        return None, None
    if not (provider.link_existing_accounts and identity.email_verified):
        raise SsoRefused(
            SsoErrorCode.EMAIL_TAKEN,
            _(
                "%(email)s already has an account here that is not linked to %(provider)s. "
                "An admin can allow linking existing accounts for this identity provider."
            )
            % {"email": person.email, "provider": provider.name},
            status=409,
        )
    return existing, None


# Who else may set a person's attributes: what SCIM or an HR import set, sign-ins leave.
SYNC_SOURCES = frozenset({"scim", "import"})


def _held(user: User) -> set[str]:
    """Fields sign-ins must not change: managed in Lectern, or set by SCIM or an import."""
    sources = user.attribute_sources or {}
    synced = {field for field, source in sources.items() if source in SYNC_SOURCES}
    return set(user.managed_fields or []) | synced


def _groups_sync(user: User, person: MappedPerson) -> None:
    managed = _held(user)
    current = set(user.learner_groups.values_list("pk", flat=True))
    wanted: set[int] = set()
    unwanted: set[int] = set()
    if "groups" not in managed:
        governed = set(person.governed_group_ids)
        wanted |= set(person.tenant_group_ids)
        unwanted |= (governed - set(person.tenant_group_ids)) & current
    if person.department and "department" not in managed:
        department = LearnerGroup.objects.filter(name__iexact=person.department).first()
        if department is None:
            try:
                with transaction.atomic():
                    department = LearnerGroup.objects.create(
                        name=person.department, kind=GroupKind.DEPARTMENT
                    )
            except IntegrityError:  # created by a concurrent sign-in
                department = LearnerGroup.objects.get(name__iexact=person.department)
        wanted.add(department.pk)
        other_departments = LearnerGroup.objects.filter(
            pk__in=current, kind=GroupKind.DEPARTMENT
        ).exclude(pk=department.pk)
        unwanted |= set(other_departments.values_list("pk", flat=True))
    for group in LearnerGroup.objects.filter(pk__in=(wanted - current) | unwanted).order_by("pk"):
        if group.pk in unwanted:
            people_services.group_members_set(group=group, add=[], remove=[user.pk], actor=None)
        else:
            people_services.group_members_set(group=group, add=[user.pk], remove=[], actor=None)


def _attributes_update(user: User, person: MappedPerson) -> User:
    managed = _held(user)
    changes: dict = {}
    if person.full_name and "full_name" not in managed and person.full_name != user.full_name:
        changes["full_name"] = person.full_name
    if person.role_from_groups and "role" not in managed and person.role_from_groups != user.role:
        changes["role"] = person.role_from_groups
    if changes:
        user = people_services.user_update(user=user, actor=None, **changes)
    if (
        person.employee_number
        and "employee_number" not in managed
        and person.employee_number != user.employee_number
    ):
        User.objects.filter(pk=user.pk).update(employee_number=person.employee_number)
        user.employee_number = person.employee_number
    return user


@transaction.atomic
def person_from_identity(provider: IdentityProvider, identity: AssertedIdentity) -> User:
    """The person `identity` signs in as, created or brought up to date (one transaction:
    nothing half-made when a rule refuses). Refuses a deactivated person, an unknown person
    when the provider creates nobody, and an existing account it may not link."""
    person = identity_map(provider, identity)
    user, link = _person_find(provider, identity, person)
    created = user is None
    if created:
        if not provider.create_people:
            raise SsoRefused(
                SsoErrorCode.PERSON_UNKNOWN,
                _(
                    "%(email)s has no account here, and %(provider)s is not set to create "
                    "people. An admin can invite them or turn that on."
                )
                % {"email": person.email, "provider": provider.name},
            )
        try:
            user = people_services.user_create(
                email=person.email,
                full_name=person.full_name,
                role=person.role_from_groups or provider.default_role,
                actor=None,
            )
        except Conflict as exc:  # a concurrent first sign-in won
            raise SsoRefused(
                SsoErrorCode.EMAIL_TAKEN, _("This person was just created by another sign-in.")
            ) from exc
        if person.employee_number:
            User.objects.filter(pk=user.pk).update(employee_number=person.employee_number)
            user.employee_number = person.employee_number
        audit_record(
            action=AuditAction.SSO_PERSON_CREATED,
            actor=None,
            target=user,
            after={"provider": provider.slug, "email": user.email, "role": user.role},
        )
    else:
        # Two sign-ins of one person at once (two tabs, a benchmark) update the same rows;
        # taking the person's row first makes them queue instead of deadlocking.
        user = User.objects.select_for_update().get(pk=user.pk)
        _refuse_inactive(user)
        user = _attributes_update(user, person)
    _groups_sync(user, person)
    now = timezone.now()
    if link is None:
        link = ExternalIdentity.objects.create(
            provider=provider, subject=identity.subject, user=user, last_login_at=now
        )
        if not created:
            audit_record(
                action=AuditAction.SSO_ACCOUNT_LINKED,
                actor=None,
                target=user,
                after={"provider": provider.slug, "subject": identity.subject},
            )
    link.last_attributes = {key: list(values) for key, values in identity.attributes.items()}
    link.last_login_at = now
    link.save(update_fields=["last_attributes", "last_login_at"])
    User.objects.filter(pk=user.pk).update(last_login=now)
    user.last_login = now
    return user


def attributes_plain(attributes: Mapping[str, Iterable]) -> dict[str, list[str]]:
    """Attributes or claims as {name: [strings]} (what AssertedIdentity holds)."""
    plain: dict[str, list[str]] = {}
    for name, raw in attributes.items():
        values = raw if isinstance(raw, list | tuple) else [raw]
        plain[str(name)] = [str(value) for value in values if value is not None]
    return plain
