"""`lectern dev`: embedded services, migrations, demo data, web + worker + beat.

Ctrl-C (or SIGTERM) stops the children, then the embedded servers this process owns.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

CHILD_STOP_SECONDS = 10


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lectern dev", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--bind", default="0.0.0.0")  # noqa: S104 - a development server
    return parser.parse_args(argv)


def _children(port: int, bind: str) -> list[tuple[str, list[str]]]:
    python = sys.executable
    data_dir = os.environ.get("LECTERN_DATA_DIR", "")
    schedule = os.path.join(data_dir or ".data", "celerybeat-schedule")
    return [
        ("web", [python, "-m", "lectern.cli", "runserver", f"{bind}:{port}", "--noreload"]),
        (
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "lectern",
                "worker",
                "-c",
                "2",
                "-l",
                "INFO",
                "-n",
                "lectern-dev@%h",
            ],
        ),
        ("beat", [python, "-m", "celery", "-A", "lectern", "beat", "-l", "INFO", "-s", schedule]),
    ]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + CHILD_STOP_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(argv: list[str]) -> int:
    options = _parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lectern.settings.dev")
    os.environ.setdefault("PUBLIC_PORT", str(options.port))

    import django

    django.setup()  # dev settings start embedded PostgreSQL/Redis when no URLs are given
    from django.conf import settings
    from django.core.management import call_command

    os.environ.setdefault("LECTERN_DATA_DIR", str(settings.DATA_DIR))
    call_command("migrate", verbosity=1, interactive=False)
    call_command("seed_demo")

    from django.db import connections

    connections.close_all()
    processes: list[subprocess.Popen] = []
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        for _name, command in _children(options.port, options.bind):
            # Own process group: the terminal's Ctrl-C reaches us, and we stop them in order.
            processes.append(subprocess.Popen(command, start_new_session=True))  # noqa: S603
        print("\nLectern is running. Stop it with Ctrl-C.\n", flush=True)
        while not stopping:
            for (name, _command), process in zip(
                _children(options.port, options.bind), processes, strict=True
            ):
                if process.poll() is not None:
                    print(
                        f"lectern dev: the {name} process exited ({process.returncode}); stopping.",
                        file=sys.stderr,
                        flush=True,
                    )
                    stopping = True
            time.sleep(0.5)
    finally:
        print("\nStopping Lectern…", flush=True)
        _stop(processes)
    return 0
