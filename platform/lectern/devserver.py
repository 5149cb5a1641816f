"""`lectern dev`: embedded services, migrations, demo data, web + worker + beat, and the demo
tenant's identity provider (lectern.demo_identity) when Node can run it.

Ctrl-C (or SIGTERM, SIGHUP) stops the children, then the embedded servers this process started.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHILD_STOP_SECONDS = 10.0
POLL_SECONDS = 0.5
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        # A session of its own: the terminal's Ctrl-C reaches only us, and we stop the children
        # in order. Its process group also holds its own children (Celery's pool processes).
        self.process = subprocess.Popen(  # noqa: S603 - our own commands
            self.command, start_new_session=True, preexec_fn=_stop_with_parent()
        )

    def exit_code(self) -> int | None:
        """The exit status once the process has ended, else None."""
        return None if self.process is None else self.process.poll()

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # Celery: warm shutdown

    def wait(self, deadline: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"lectern dev: the {self.name} process did not stop; killing it.", flush=True)
        # Kill whatever is left in its group (a hung process, orphaned pool processes).
        with contextlib.suppress(ProcessLookupError, PermissionError):  # nothing left
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _stop_with_parent() -> Callable[[], None] | None:
    """On Linux, a function for `preexec_fn` that has the kernel send the child SIGTERM when
    this process dies, even by SIGKILL: a crash must not leave a web server holding the port.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork, not after
    parent = os.getpid()

    def in_child() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return in_child


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lectern dev", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--bind", default="0.0.0.0")  # noqa: S104 - a development server
    parser.add_argument(
        "--identity-port",
        type=int,
        default=None,
        help="port of the demo identity provider (default: the web port + 10)",
    )
    return parser.parse_args(argv)


def _children(port: int, bind: str, data_dir: Path, identity_config: Path | None) -> list[Child]:
    python = sys.executable
    schedule = str(data_dir / "celerybeat-schedule")
    celery = [python, "-m", "celery", "-A", "lectern"]
    children = [
        Child("web", [python, "-m", "lectern.cli", "runserver", f"{bind}:{port}", "--noreload"]),
        Child("worker", [*celery, "worker", "-c", "2", "-l", "INFO", "-n", "lectern-dev@%h"]),
        Child("beat", [*celery, "beat", "-l", "INFO", "-s", schedule]),
    ]
    if identity_config is not None:
        from lectern.demo_identity import demo_identity_command

        children.append(Child("identity", demo_identity_command(identity_config)))
    return children


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _prepare(port: int, identity_port: int) -> tuple[Path, Path | None]:
    """Start the embedded servers (dev settings do), migrate, seed; return the data directory
    and the demo identity provider's configuration (None when Node cannot run it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lectern.settings.dev")
    os.environ.setdefault("PUBLIC_PORT", str(port))

    import django

    django.setup()  # dev settings start embedded PostgreSQL/Redis when no URLs are given
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    # The children read the same settings, URLs included, from the environment.
    os.environ.setdefault("LECTERN_DATA_DIR", str(settings.DATA_DIR))
    call_command("migrate", verbosity=1, interactive=False)
    call_command("seed_demo")
    identity_config = _demo_identity_prepare(Path(settings.DATA_DIR), identity_port)
    connections.close_all()
    return Path(settings.DATA_DIR), identity_config


def _demo_identity_prepare(data_dir: Path, identity_port: int) -> Path | None:
    """Configure the demo tenant's identity provider; None (said in one line) when Node or
    its package is missing: everything else runs without it."""
    from lectern.demo_identity import NAME, demo_identity_configure, node_ready
    from lectern.management.commands.seed_demo import DEMO_SLUG
    from shared_apps.tenants.models import Tenant
    from tenant_apps.people.services import tenant_base_url

    problem = node_ready()
    if problem:
        print(f"lectern dev: no demo identity provider ({problem}).", flush=True)
        return None
    from django.conf import settings

    tenant = Tenant.objects.get(slug=DEMO_SLUG)
    config_path = data_dir / "demo-identity.json"
    issuer = demo_identity_configure(
        schema_name=tenant.schema_name,
        portal_url=tenant_base_url(f"{DEMO_SLUG}.{settings.BASE_DOMAIN}"),
        port=identity_port,
        config_path=config_path,
    )
    print(
        f'Demo SSO          {issuer}  ("Sign in with {NAME}" on the demo\'s sign-in page;'
        " pick who signs in, no password)",
        flush=True,
    )
    return config_path


def _stop_embedded() -> None:
    from lectern.embedded import stop_services

    stop_services()


def run(argv: list[str]) -> int:
    options = _parse(argv)
    stop_requested: list[str] = []

    def on_signal(signum: int, _frame: object) -> None:
        stop_requested.append(signal.Signals(signum).name)

    # Until the children run, any stop signal unwinds like Ctrl-C, so the embedded servers
    # started so far are stopped too (SIGTERM and SIGHUP would otherwise end us on the spot).
    for signum in STOP_SIGNALS:
        signal.signal(signum, _interrupt)
    try:
        data_dir, identity_config = _prepare(
            options.port, options.identity_port or options.port + 10
        )
    except KeyboardInterrupt:
        for signum in STOP_SIGNALS:  # a second Ctrl-C must not cut the clean-up short
            signal.signal(signum, on_signal)
        print("\nlectern dev: interrupted; stopping.", file=sys.stderr, flush=True)
        _stop_embedded()
        return 130

    # From here on a signal only asks the loop below to stop: never an exception halfway
    # through starting a child, which would leave it running.
    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    children = _children(options.port, options.bind, data_dir, identity_config)
    failed = False
    try:
        for child in children:
            if not stop_requested:
                child.start()
        if not stop_requested:
            print(
                "\nLectern is running (addresses and logins above). Stop it with Ctrl-C.\n",
                flush=True,
            )
        while not stop_requested:
            for child in children:
                code = child.exit_code()
                if code is not None:
                    print(
                        f"lectern dev: the {child.name} process exited ({code}); stopping.",
                        file=sys.stderr,
                        flush=True,
                    )
                    failed = True
                    stop_requested.append(child.name)
                    break
            else:
                time.sleep(POLL_SECONDS)
    finally:
        print("\nStopping Lectern…", flush=True)
        for child in children:
            child.terminate()
        deadline = time.monotonic() + CHILD_STOP_SECONDS
        for child in children:
            child.wait(deadline)
        # Last, once nothing uses them: PostgreSQL and Redis.
        _stop_embedded()
        print("Lectern stopped.", flush=True)
    return 1 if failed else 0
