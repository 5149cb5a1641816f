"""How often someone may fail to sign in or ask for password-reset e-mails: every number in
one place, and the counters that enforce them. The API and the portal's forms reach these
only through the people services (`user_authenticate`, `password_change`,
`password_reset_request`).

Counters live in the cache, whose keys carry the tenant's schema, so tenants never share
them. Addresses come from `core.request_context.client_address`, which believes
`X-Forwarded-For` only from trusted proxies.

Signing in
    Failures are counted per (account, address). The first SIGN_IN_FREE_FAILURES - 1 cost
    nothing; from then on each failure makes that address wait before trying that account
    again, SIGN_IN_FIRST_DELAY seconds doubling up to SIGN_IN_LONGEST_DELAY. A success
    forgets the pair's failures. Other addresses are not affected, so nobody can lock a
    person out by guessing from elsewhere.

    Only after ACCOUNT_LOCK_FAILURES failures from all addresses together within
    ACCOUNT_LOCK_WINDOW is the account paused for everyone, for ACCOUNT_LOCK_SECONDS, and
    its owner told by e-mail. One address failing ADDRESS_FAILURE_LIMIT times on any
    accounts within ADDRESS_FAILURE_WINDOW (someone trying one password on many accounts)
    waits out the window; that stops only that address.

Self-registration
    REGISTER_PER_ADDRESS accounts per address in each REGISTER_WINDOW; past it the request
    is refused (429) until the window ends.

Password-reset e-mails
    RESET_PER_ADDRESS requests per address and RESET_PER_RECIPIENT e-mails per recipient in
    each RESET_WINDOW. Over the address limit the request is refused (429); over the
    recipient limit it is answered exactly as any other and no e-mail goes out, so the
    answer never tells whether an account exists or was limited.

`now` (seconds since the epoch) is passed in, so that tests can follow the schedule
without waiting; the doors pass `time.time()`.

With Redis unreachable nothing is counted and nobody waits (a warning is logged), as with
the API's rate limits: signing in and resetting passwords keep working rather than fail.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import redis
from django.core.cache import cache

logger = logging.getLogger(__name__)

Params = ParamSpec("Params")
Result = TypeVar("Result")


def _unlimited_without_redis(
    answer: Result,
) -> Callable[[Callable[Params, Result]], Callable[Params, Result]]:
    """Give `answer` (no limit) when Redis cannot be reached."""

    def decorate(limit: Callable[Params, Result]) -> Callable[Params, Result]:
        @functools.wraps(limit)
        def guarded(*args: Params.args, **kwargs: Params.kwargs) -> Result:
            try:
                return limit(*args, **kwargs)
            except redis.RedisError:
                logger.warning("%s: Redis unreachable, nothing counted", limit.__name__)
                return answer

        return guarded

    return decorate


SIGN_IN_FREE_FAILURES = 5
SIGN_IN_FIRST_DELAY = 30
SIGN_IN_LONGEST_DELAY = 15 * 60
# An (account, address) pair's failures are forgotten this long after its last one.
SIGN_IN_MEMORY = 60 * 60

ACCOUNT_LOCK_FAILURES = 50
ACCOUNT_LOCK_WINDOW = 60 * 60
ACCOUNT_LOCK_SECONDS = 15 * 60

ADDRESS_FAILURE_LIMIT = 100
ADDRESS_FAILURE_WINDOW = 15 * 60

# Self-registration: accounts one address may create per window (signing up many accounts
# from one place is how spam and guessing start).
REGISTER_PER_ADDRESS = 10
REGISTER_WINDOW = 60 * 60

RESET_PER_RECIPIENT = 3
RESET_PER_ADDRESS = 10
RESET_WINDOW = 60 * 60


def sign_in_delay(failures: int) -> int:
    """Seconds the `failures`-th failure in a row of an (account, address) pair makes that
    pair wait; 0 while failures are free."""
    if failures < SIGN_IN_FREE_FAILURES:
        return 0
    doublings = min(failures - SIGN_IN_FREE_FAILURES, 32)
    return min(SIGN_IN_LONGEST_DELAY, SIGN_IN_FIRST_DELAY * 2**doublings)


def _account(email: str) -> str:
    """The account as keys name it: hashed, so keys stay short and hold no e-mail address
    (what a sign-in form receives can be any text)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]


def _pair(email: str, address: str | None) -> str:
    return f"{_account(email)}|{address or '-'}"


def _count(key: str, window: int, *, extend: bool = False) -> int:
    """Add one to a counter that lives `window` seconds (from its first count, or from its
    latest with `extend`)."""
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # it expired between the two calls: this is a new window's first
        cache.set(key, 1, window)
        count = 1
    if extend:
        cache.touch(key, window)
    return count


def _until(key: str, until: float, seconds: int) -> None:
    cache.set(key, until, math.ceil(seconds) + 1)


@_unlimited_without_redis(0)
def sign_in_wait(*, email: str, address: str | None, now: float) -> int:
    """Seconds before `address` may try to sign in to `email` again (0: now)."""
    keys = [f"sign-in:pair-wait:{_pair(email, address)}", f"sign-in:paused:{_account(email)}"]
    if address:
        keys.append(f"sign-in:address-wait:{address}")
    waits = [until - now for until in cache.get_many(keys).values()]
    longest = max(waits, default=0)
    return math.ceil(longest) if longest > 0 else 0


@_unlimited_without_redis(False)
def sign_in_failure_record(*, email: str, address: str | None, now: float) -> bool:
    """Count a wrong password for `email` from `address`. True when this failure paused the
    account for everyone (its owner should be told)."""
    pair = _pair(email, address)
    delay = sign_in_delay(_count(f"sign-in:pair:{pair}", SIGN_IN_MEMORY, extend=True))
    if delay:
        _until(f"sign-in:pair-wait:{pair}", now + delay, delay)
    if address:
        address_key = f"sign-in:address:{address}"
        if _count(address_key, ADDRESS_FAILURE_WINDOW) >= ADDRESS_FAILURE_LIMIT:
            cache.delete(address_key)
            _until(
                f"sign-in:address-wait:{address}",
                now + ADDRESS_FAILURE_WINDOW,
                ADDRESS_FAILURE_WINDOW,
            )
    account_key = f"sign-in:account:{_account(email)}"
    if _count(account_key, ACCOUNT_LOCK_WINDOW) < ACCOUNT_LOCK_FAILURES:
        return False
    # The next pause takes another ACCOUNT_LOCK_FAILURES failures (so its owner gets at
    # most one e-mail per pause).
    cache.delete(account_key)
    _until(f"sign-in:paused:{_account(email)}", now + ACCOUNT_LOCK_SECONDS, ACCOUNT_LOCK_SECONDS)
    return True


@_unlimited_without_redis(None)
def sign_in_success_record(*, email: str, address: str | None) -> None:
    """Forget the failures of this (account, address) pair; the account's count stays."""
    pair = _pair(email, address)
    cache.delete_many([f"sign-in:pair:{pair}", f"sign-in:pair-wait:{pair}"])


@_unlimited_without_redis(0)
def password_reset_address_wait(*, address: str | None, now: float) -> int:
    """Count one reset request from `address`; seconds it must wait when over the limit
    (0: go ahead)."""
    if not address:
        return 0
    window_start = int(now // RESET_WINDOW) * RESET_WINDOW
    count = _count(f"password-reset:address:{address}:{window_start}", RESET_WINDOW)
    if count <= RESET_PER_ADDRESS:
        return 0
    return max(1, math.ceil(window_start + RESET_WINDOW - now))


@_unlimited_without_redis(True)
def password_reset_recipient_allowed(*, email: str, now: float) -> bool:
    """Count one reset e-mail to `email`; False when it is over the limit (send nothing)."""
    window_start = int(now // RESET_WINDOW) * RESET_WINDOW
    key = f"password-reset:recipient:{_account(email)}:{window_start}"
    return _count(key, RESET_WINDOW) <= RESET_PER_RECIPIENT


@_unlimited_without_redis(0)
def registration_address_wait(*, address: str | None, now: float) -> int:
    """Count one registration attempt from `address`; seconds it must wait when over the
    limit (0: go ahead)."""
    if not address:
        return 0
    window_start = int(now // REGISTER_WINDOW) * REGISTER_WINDOW
    count = _count(f"register:address:{address}:{window_start}", REGISTER_WINDOW)
    if count <= REGISTER_PER_ADDRESS:
        return 0
    return max(1, math.ceil(window_start + REGISTER_WINDOW - now))
