"""The `lectern` command: `lectern dev` runs everything locally; any other word is a
management command (`lectern migrate`, `lectern tenants create ...`, `lectern shell`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the `platform/` directory


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if str(PACKAGE_ROOT) not in sys.path:
        sys.path.insert(0, str(PACKAGE_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lectern.settings.dev")
    if len(argv) > 1 and argv[1] == "dev":
        from lectern.devserver import run

        sys.exit(run(argv[2:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
