"""Front-end packages from the npm registry, served as static files.

`npm ci` (run by bin/install) puts the pinned packages of package-lock.json under
`node_modules/`; `VENDOR_STATIC_FILES` names the few files pages load, each under a static
path of its own (`vendor/htmx.min.js`). Only those files are served or collected, never the
rest of a package, and a missing one is reported by `lectern check` rather than as a 404.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


def vendor_files() -> dict[str, Path]:
    root = Path(settings.VENDOR_ROOT)
    return {static: root / source for static, source in settings.VENDOR_STATIC_FILES.items()}


class VendorFilesFinder(BaseFinder):
    def check(self, **kwargs):
        return [
            Error(
                f"{source} is missing: run bin/install (it runs `npm ci`).",
                id="lectern.E001",
            )
            for source in vendor_files().values()
            if not source.is_file()
        ]

    def find(self, path, find_all=False, **kwargs):
        source = vendor_files().get(path)
        if source is None or not source.is_file():
            return []
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        for static, source in vendor_files().items():
            if source.is_file():
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = str(Path(static).parent)
                yield source.name, storage
