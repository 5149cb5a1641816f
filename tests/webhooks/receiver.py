"""A webhook receiver on loopback for the tests and the benchmark: a small threaded HTTP/1.1
server that verifies every delivery with the spec's reference implementation (PyPI
`standardwebhooks`) under the secrets it is given, records it, and answers as told per path
(status, headers, delay, or hold until released).

In a test:  with Receiver() as receiver: receiver.expect("/hook", secrets=[secret]) ...
As a process (the benchmark):  python -m tests.webhooks.receiver --port 0 --secret whsec_...
prints `listening <port>`, then one line per delivery: `<webhook-id> <received at> <ok>`
(an asyncio server with the same verification, `serve_fast`, that keeps up with the load).
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float
    # The secrets (of those given for the path) under which the signature verified.
    verified_with: list[str] = field(default_factory=list)

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")

    @property
    def verified(self) -> bool:
        return bool(self.verified_with)


@dataclass
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    hold: threading.Event | None = None


def verifying_secrets(secrets: list[str], body: bytes, headers: dict[str, str]) -> list[str]:
    found = []
    for secret in secrets:
        try:
            Webhook(secret).verify(body, headers)
        except (WebhookVerificationError, ValueError):  # a malformed signature too
            continue
        found.append(secret)
    return found


class _Server(ThreadingHTTPServer):
    request_queue_size = 512  # many concurrent connections from the delivery loop


class _IPv6Server(_Server):
    address_family = socket.AF_INET6


class Receiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.deliveries: list[Delivery] = []
        self.secrets: dict[str, list[str]] = {}
        self.answers: dict[str, Answer] = {}
        self.arrived = threading.Condition()
        self.on_delivery = None  # optional callback(Delivery), called in the server thread
        self.keep = True  # keep every delivery in `deliveries`
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                path = self.path.split("?")[0]
                delivery = Delivery(
                    path=path,
                    headers=headers,
                    body=body,
                    received_at=time.time(),
                    verified_with=verifying_secrets(
                        receiver.secrets.get(path, receiver.secrets.get("*", [])), body, headers
                    ),
                )
                if receiver.keep:
                    with receiver.arrived:
                        receiver.deliveries.append(delivery)
                        receiver.arrived.notify_all()
                if receiver.on_delivery:
                    receiver.on_delivery(delivery)
                answer = receiver.answers.get(path, Answer())
                if answer.hold is not None:
                    answer.hold.wait(120)
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        server_class = _IPv6Server if ":" in host else _Server
        self.server = server_class((host, port), Handler)
        self.server.daemon_threads = True
        self.host = host
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def expect(self, path: str, *, secrets: list[str], **answer) -> str:
        """Verify deliveries to `path` under `secrets`, answer as told; the path's URL."""
        self.secrets[path] = list(secrets)
        self.answers[path] = Answer(**answer)
        return self.url(path)

    def to(self, path: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.path == path]

    def wait_for(self, count: int, path: str | None = None, timeout: float = 30) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                found = self.to(path) if path else list(self.deliveries)
                if len(found) >= count or time.monotonic() >= deadline:
                    return found
                self.arrived.wait(max(0.0, deadline - time.monotonic()))

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        for answer in self.answers.values():
            if answer.hold is not None:
                answer.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


async def serve_fast(host: str, port: int, secrets: list[str], out) -> None:
    """The benchmark's receiver: the same verification, on asyncio with a minimal HTTP/1.1
    reading (keep-alive, Content-Length bodies), so the receiver is not what is measured.
    Answers 204 and writes `<webhook-id> <received at> <verified>` per delivery to `out`."""
    import asyncio

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                received_at = time.time()
                ok = int(bool(verifying_secrets(secrets, body, headers)))
                out.write(f"{headers.get('webhook-id', '')} {received_at:.6f} {ok}\n")
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            out.flush()
            writer.close()

    server = await asyncio.start_server(connection, host, port, backlog=1024)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        while True:
            await asyncio.sleep(0.05)
            out.flush()


if __name__ == "__main__":
    import asyncio

    parser = argparse.ArgumentParser(description="webhook receiver on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--secret", action="append", default=[])
    args = parser.parse_args()
    asyncio.run(serve_fast(args.host, args.port, args.secret, sys.stdout))
