#!/usr/bin/env python3
"""Django's command-line utility; `lectern` does the same from anywhere."""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent / "platform"))
    from lectern.cli import main

    main(["manage.py", *sys.argv[1:]])
