"""A real browser for the tests: Debian's Chromium driven by Playwright (which cannot
download a browser of its own here; bin/test installs Chromium), and axe-core from the npm
registry (bin/test runs `npm ci`) for accessibility checks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium. Playwright's synchronous API runs an event loop in this thread,
    which Django would take for async code and refuse database calls in; the tests call the
    database only between browser steps, never from the loop, so that check is lifted for
    the browser's lifetime."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def page_for_axe(browser):
    """A page axe-core can be injected into: our Content Security Policy refuses injected
    scripts, so this page's context bypasses it (tests/lectern/
    test_content_security_policy.py checks the policy with a context that does not)."""
    return browser.new_context(bypass_csp=True).new_page()


def serious_accessibility_violations(page) -> list[str]:
    """What axe-core finds on the page at `serious` or `critical` impact, one line each
    (open the page with `page_for_axe`)."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


# Collects, from the first script of every page on, what the Content Security Policy blocked.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def csp_violations(page) -> list[str]:
    """What the page's Content Security Policy blocked so far (the page must have been
    opened in a context with RECORD_CSP_VIOLATIONS as an init script)."""
    return page.evaluate("window.__cspViolations")
