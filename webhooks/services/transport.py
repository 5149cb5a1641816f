"""Sending: POSTs made concurrently by `httpx.AsyncClient` on an event loop of its own
thread, so the caller's thread keeps the database (and its tenant schema) to itself.

Every request goes to the address the destination check approved — the URL names that IP and
the `Host` header and TLS server name (SNI, checked against the certificate) name the host —
so a DNS answer that changes between check and connect (rebinding) is never used. Redirects
are not followed, proxies from the environment are not used, and a request has 15 s in all
(connect, send, answer, the first 1 KB of the body)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from django.utils import timezone

from core.outbound import system_trust
from webhooks.services import signing
from webhooks.services.destinations import Destination

TIMEOUT_SECONDS = 15.0  # `WEBHOOK_DELIVERY_TIMEOUT_SECONDS` may shorten it (tests)
EXCERPT_BYTES = 1024
# Connections kept per destination; the dispatcher also caps requests in flight per endpoint.
CONNECTIONS_PER_DESTINATION = 8
_MAX_HEADERS_KEPT = 50
MASK = "••••••"


@dataclass(frozen=True)
class OutgoingRequest:
    """One attempt to make. It is signed when it is sent (so `webhook-timestamp` is the time
    of sending, however long it waited for a connection), with every secret in `secrets`."""

    message_pk: int
    endpoint_pk: int
    message_id: str
    destination: Destination
    body: bytes
    # Everything sent but Host and the signature headers.
    headers: dict[str, str]
    secrets: tuple[str, ...]
    # Header names whose values the delivery log masks (custom headers).
    masked: frozenset[str] = frozenset()
    # Not before this wall-clock time (an endpoint's rate limit), in seconds since the epoch.
    not_before: float = 0.0


@dataclass
class Outcome:
    """What one attempt came to: an answer (`status_code`) or an `error`."""

    message_pk: int
    endpoint_pk: int
    attempted_at: datetime
    status_code: int | None = None
    latency_ms: int = 0
    excerpt: str = ""
    error: str = ""
    response_headers: dict[str, str] = field(default_factory=dict)
    request_headers: dict[str, str] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def pinned_url(destination: Destination) -> str:
    """The request URL naming the checked address itself."""
    return destination.url


def signed_headers(request: OutgoingRequest, timestamp: int) -> dict[str, str]:
    return {
        **request.headers,
        **signing.headers(request.secrets, request.message_id, timestamp, request.body),
    }


def logged(headers: dict[str, str], masked: frozenset[str]) -> dict[str, str]:
    """The headers as the delivery log keeps them: custom header values masked (they often
    hold a partner's key)."""
    return {name: (MASK if name.lower() in masked else value) for name, value in headers.items()}


def _kept_headers(headers: httpx.Headers) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in headers.multi_items():
        if len(kept) >= _MAX_HEADERS_KEPT:
            break
        kept[name] = (kept[name] + ", " + value if name in kept else value)[:500]
    return kept


class DeliveryLoop:
    """An asyncio loop on a thread of its own, with one connection pool per endpoint and
    checked destination (scheme, host, address, port): a connection made for one host is
    never reused for another that shares its address, and a slow endpoint's requests never
    wait for connections another endpoint holds."""

    def __init__(self) -> None:
        from django.conf import settings

        configured = getattr(settings, "WEBHOOK_DELIVERY_TIMEOUT_SECONDS", None)
        self.timeout = float(configured or TIMEOUT_SECONDS)
        self._loop = asyncio.new_event_loop()
        self._clients: dict[tuple, httpx.AsyncClient] = {}
        # Per endpoint: requests beyond CONNECTIONS_PER_DESTINATION wait here, unsigned and
        # not yet timed, for one of that endpoint's own connections.
        self._gates: dict[int, asyncio.Semaphore] = {}
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="webhook-delivery", daemon=True
        )
        self._thread.start()

    def submit(self, request: OutgoingRequest) -> concurrent.futures.Future[Outcome]:
        return asyncio.run_coroutine_threadsafe(self._send(request), self._loop)

    def close(self) -> None:
        async def close_clients() -> None:
            for client in self._clients.values():
                await client.aclose()

        asyncio.run_coroutine_threadsafe(close_clients(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()

    def __enter__(self) -> DeliveryLoop:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _client(self, endpoint_pk: int, destination: Destination) -> httpx.AsyncClient:
        key = (
            endpoint_pk,
            destination.scheme,
            destination.host,
            str(destination.address),
            destination.port,
        )
        client = self._clients.get(key)
        if client is None:
            client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=False,
                trust_env=False,
                verify=system_trust(),
                limits=httpx.Limits(
                    max_connections=CONNECTIONS_PER_DESTINATION,
                    max_keepalive_connections=CONNECTIONS_PER_DESTINATION,
                ),
            )
            self._clients[key] = client
        return client

    async def _send(self, request: OutgoingRequest) -> Outcome:
        gate = self._gates.get(request.endpoint_pk)
        if gate is None:
            gate = self._gates[request.endpoint_pk] = asyncio.Semaphore(CONNECTIONS_PER_DESTINATION)
        async with gate:
            wait = request.not_before - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
            return await self._attempt(request)

    async def _attempt(self, request: OutgoingRequest) -> Outcome:
        destination = request.destination
        sent = signed_headers(request, int(time.time()))
        headers = {**sent, "Host": destination.host_header}
        extensions = destination.extensions
        outcome = Outcome(
            message_pk=request.message_pk,
            endpoint_pk=request.endpoint_pk,
            attempted_at=timezone.now(),
            request_headers=logged(sent, request.masked),
        )
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                async with self._client(request.endpoint_pk, destination).stream(
                    "POST",
                    pinned_url(destination),
                    content=request.body,
                    headers=headers,
                    extensions=extensions,
                ) as response:
                    outcome.status_code = response.status_code
                    outcome.response_headers = _kept_headers(response.headers)
                    excerpt = b""
                    async for chunk in response.aiter_raw():
                        excerpt += chunk
                        if len(excerpt) >= EXCERPT_BYTES:
                            break
                    outcome.excerpt = excerpt[:EXCERPT_BYTES].decode("utf-8", "replace")
        except TimeoutError:
            outcome.error = f"No complete answer within {self.timeout:g} s."
        except httpx.ConnectError as exc:
            outcome.error = f"Could not connect: {exc}"[:500] or "Could not connect."
        except httpx.HTTPError as exc:
            outcome.error = f"{type(exc).__name__}: {exc}"[:500]
        outcome.latency_ms = round((time.perf_counter() - started) * 1000)
        if outcome.status_code is not None and outcome.error:
            # The answer came but its body did not: keep the status, note the rest.
            outcome.excerpt = outcome.excerpt or outcome.error
        return outcome
