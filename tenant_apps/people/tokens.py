"""API credentials: short-lived access tokens (JWT), rotating refresh tokens, personal tokens.

Access tokens are signed with a key derived from SECRET_KEY and the tenant's schema, so a
token minted on one tenant's host fails its signature on every other host. Each access token
names its sign-in (`fam`); signing out or deactivating the person revokes the sign-in, and the
access tokens with it, at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from tenant_apps.people import token_cache
from tenant_apps.people.errors import PeopleErrorCode
from tenant_apps.people.models import PersonalAccessToken, RefreshToken, User

ACCESS_LIFETIME = timedelta(minutes=5)
REFRESH_LIFETIME = timedelta(days=14)
REFRESH_PREFIX = "lrt_"
PERSONAL_PREFIX = "lpt_"
ALGORITHM = "HS256"


class TokenInvalid(ApplicationError):
    def __init__(
        self,
        message: str = gettext_lazy("The token is invalid or expired."),
        code: PeopleErrorCode = PeopleErrorCode.TOKEN_INVALID,
    ) -> None:
        super().__init__(code=code, message=message, status=401)


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_in: int


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _signing_key() -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(),
        f"lectern-access:{connection.schema_name}".encode(),
        hashlib.sha256,
    ).digest()


def _access_token(user: User, family: uuid.UUID) -> str:
    now = timezone.now()
    claims = {
        "sub": str(user.pk),
        "fam": str(family),
        "ten": connection.schema_name,
        "iat": int(now.timestamp()),
        "exp": int((now + ACCESS_LIFETIME).timestamp()),
        "typ": "access",
    }
    return jwt.encode(claims, _signing_key(), algorithm=ALGORITHM)


def _new_refresh(user: User, family: uuid.UUID) -> str:
    secret = REFRESH_PREFIX + secrets.token_urlsafe(32)
    RefreshToken.objects.create(
        user=user,
        family=family,
        token_hash=hash_secret(secret),
        expires_at=timezone.now() + REFRESH_LIFETIME,
    )
    return secret


@transaction.atomic
def token_pair_issue(*, user: User) -> TokenPair:
    """Start a new sign-in for `user`: an access token and the first refresh token."""
    family = uuid.uuid4()
    return TokenPair(
        access=_access_token(user, family),
        refresh=_new_refresh(user, family),
        access_expires_in=int(ACCESS_LIFETIME.total_seconds()),
    )


def token_pair_refresh(*, refresh: str) -> TokenPair:
    """Trade a refresh token for a new pair. A token used twice means it was stolen: the
    whole sign-in is revoked (and that revocation is committed before the refusal)."""
    outcome = _refresh_rotate(refresh)
    if isinstance(outcome, TokenInvalid):
        raise outcome
    return outcome


@transaction.atomic
def _refresh_rotate(refresh: str) -> TokenPair | TokenInvalid:
    token = (
        RefreshToken.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=hash_secret(refresh))
        .first()
    )
    now = timezone.now()
    if token is None or token.revoked_at or token.expires_at <= now or not token.user.is_active:
        return TokenInvalid()
    if token.used_at is not None:
        sign_in_revoke(family=token.family)
        return TokenInvalid(
            _("This refresh token was already used; the sign-in is revoked."),
            PeopleErrorCode.TOKEN_REUSED,
        )
    token.used_at = now
    token.save(update_fields=["used_at"])
    return TokenPair(
        access=_access_token(token.user, token.family),
        refresh=_new_refresh(token.user, token.family),
        access_expires_in=int(ACCESS_LIFETIME.total_seconds()),
    )


def sign_in_revoke(*, family: uuid.UUID | str) -> int:
    """Sign out one sign-in: its refresh tokens stop working, its access tokens too."""
    return RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def sign_ins_revoke_all(*, user: User) -> int:
    """Sign `user` out everywhere (on a new password): every refresh token stops working,
    and with them every access token of those sign-ins. Personal tokens stay."""
    return RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def personal_tokens_revoke_all(*, user: User) -> int:
    """Revoke every personal token of `user`; how many were live."""
    revoked = PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        token_cache.credentials_changed()
    return revoked


def credentials_revoke_all(*, user: User) -> None:
    """Revoke every sign-in and personal token of `user` (on deactivation)."""
    sign_ins_revoke_all(user=user)
    personal_tokens_revoke_all(user=user)
    token_cache.credentials_changed()


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    family: str


def access_token_read(token: str) -> AccessClaims:
    """Check the signature, lifetime and tenant of an access token."""
    try:
        claims = jwt.decode(
            token,
            _signing_key(),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "fam", "ten", "exp", "typ"]},
        )
    except jwt.PyJWTError as exc:
        raise TokenInvalid() from exc
    if claims["typ"] != "access" or claims["ten"] != connection.schema_name:
        raise TokenInvalid()
    return AccessClaims(user_id=int(claims["sub"]), family=claims["fam"])


def access_token_user(token: str) -> tuple[User, AccessClaims]:
    """The active person behind a live access token, in one query."""
    claims = access_token_read(token)
    user = (
        User.objects.filter(
            pk=claims.user_id,
            is_active=True,
            refresh_tokens__family=claims.family,
            refresh_tokens__revoked_at__isnull=True,
        )
        .distinct()
        .first()
    )
    if user is None:
        raise TokenInvalid()
    return user, claims


@dataclass(frozen=True)
class IssuedPersonalToken:
    token: PersonalAccessToken
    secret: str  # shown once


@transaction.atomic
def personal_token_issue(*, user: User, name: str, expires_at=None) -> IssuedPersonalToken:
    secret = PERSONAL_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        user=user,
        name=name.strip()[:100] or "token",
        prefix=secret[:12],
        token_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    return IssuedPersonalToken(token=token, secret=secret)


def personal_token_user(secret: str) -> tuple[User, PersonalAccessToken]:
    """The active person behind a live personal token: remembered by this process from an
    earlier call while nothing changed (see token_cache), else one query."""
    now = timezone.now()
    token_hash = hash_secret(secret)
    stamp = token_cache.credentials_stamp()  # before loading: see token_cache
    token = token_cache.token_recall(token_hash, stamp)
    if token is None:
        token = (
            PersonalAccessToken.objects.select_related("user")
            .filter(token_hash=token_hash, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            raise TokenInvalid()
        token_cache.token_remember(token_hash, stamp, token)
    if token.expires_at and token.expires_at <= now:
        raise TokenInvalid()
    # At most one write a minute per token, not one per request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        token_cache.token_touched(token_hash, token)
    return token.user, token


def personal_token_revoke(*, user: User, token_id: int) -> bool:
    revoked = PersonalAccessToken.objects.filter(
        pk=token_id, user=user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if revoked:
        token_cache.credentials_changed()
    return bool(revoked)


def refresh_token_revoke(*, user: User, refresh: str) -> int:
    """Sign out the sign-in a refresh token belongs to (only one's own)."""
    token = RefreshToken.objects.filter(token_hash=hash_secret(refresh), user=user).first()
    return sign_in_revoke(family=token.family) if token else 0
