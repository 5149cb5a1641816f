"""Every user-facing string is marked for translation: Django's own extractor
(`makemessages`, which runs GNU xgettext) finds a key string of each kind in each area.

The sources are copied into a temporary directory and extracted there, so the test writes
nothing into the repository and a catalogue someone keeps in `locale/` does not matter."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

REPO_ROOT = Path(settings.REPO_ROOT)
# What people read is in these packages.
SOURCE_PACKAGES = ("core", "shared_apps", "tenant_apps", "platform", "sso", "webhooks", "billing")
TEST_LANGUAGE = "xx"


def _copy_sources(target: Path) -> None:
    skip = shutil.ignore_patterns(
        "__pycache__", "migrations", "static", "node_modules", "*.pyc", "*.css", "*.js"
    )
    for package in SOURCE_PACKAGES:
        shutil.copytree(REPO_ROOT / package, target / package, ignore=skip)


def _unquote(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _catalogue(po_file: Path) -> dict[str, str | None]:
    """msgid -> msgid_plural (None for a message without plural) of an unwrapped .po."""
    entries: dict[str, str | None] = {}
    last = None
    for line in po_file.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r'msgid "(.*)"', line):
            last = _unquote(match[1])
            entries[last] = None
        elif (match := re.fullmatch(r'msgid_plural "(.*)"', line)) and last is not None:
            entries[last] = _unquote(match[1])
    return entries


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, str | None]:
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: sudo apt-get install gettext (bin/test does it)")
    root = tmp_path_factory.mktemp("sources")
    _copy_sources(root)
    locale = root / "locale"
    locale.mkdir()
    here = Path.cwd()
    os.chdir(root)  # makemessages walks the current directory
    try:
        with override_settings(LOCALE_PATHS=[str(locale)]):
            call_command(
                "makemessages",
                locale=[TEST_LANGUAGE],
                extensions=["html", "txt", "py"],
                no_wrap=True,
                verbosity=0,
            )
    finally:
        os.chdir(here)
    return _catalogue(locale / TEST_LANGUAGE / "LC_MESSAGES" / "django.po")


@pytest.mark.parametrize(
    "message",
    [
        # Error pages and the pages of an unknown or closed portal (templates).
        "Page not found",
        "There is nothing at this address. Check the link you followed, or go to the "
        '<a href="/">start page</a>.',
        "Something went wrong on our side",
        "The form expired",
        "No learning portal at %(host)s",
        "%(name)s is unavailable",
        # E-mails: subjects (Python) and bodies (the .txt and .html templates).
        "You're invited to %(name)s on Lectern",
        "%(name)s assigned you %(title)s, due %(date)s",
        "Hello %(name)s,",
        "You have been invited to %(name)s on Lectern. Choose your password here:",
        "You have been invited to <strong>%(name)s</strong> on Lectern.",
        "Sent by %(name)s through Lectern",
        # In-app notifications.
        "Assigned: %(title)s",
        "Your certificate for %(course_title)s",
        # Services' error messages and the field errors they carry; API permissions.
        "The e-mail or password is wrong.",
        "Someone already uses %(email)s.",
        "A course needs at least one lesson to be published.",
        "The slug '%(slug)s' is already taken.",
        "Your role does not allow this.",
        "Use at most %(limit)s characters.",
        "Neither white text (%(white).1f:1) nor dark text (%(dark).1f:1) reads on "
        "%(colour)s; choose a colour on which one of them reaches %(minimum)s:1.",
        # Form labels.
        "E-mail",
        "Full name",
        # Choice labels of models.
        "Tenant admin",
        "Content creator",
        "Pending payment",
        "Fill in the blank",
        # The certificate PDF.
        "Certificate of Completion",
        # Single sign-on: why a sign-in was refused (trace, audit log), python3-saml's
        # findings in plain words, and what the login page says.
        "%(email)s is deactivated in this organisation's portal; the identity provider's "
        "yes does not override that. An admin can reactivate them.",
        "The signature does not match any of the certificates configured for %(provider)s "
        "(certificate not matching, or the message was altered).",
        "Your account in this portal is deactivated.",
        "%(reason)s If this keeps happening, give your admin the reference %(reference)s.",
        # Single sign-on: field errors of the provider, metadata and policy services.
        "Another identity provider already uses this slug.",
        "The metadata is over %(size)s kB.",
        "Name at least one admin who may still sign in with a password.",
        # Single sign-on: the test-connection trace's step titles and details.
        "Signature on the %(element)s",
        "Signature algorithm",
        "Expected %(value)s.",
        # Single sign-on: admin pages (form labels, templates, choice labels), the
        # certificate banner and the expiry e-mail.
        "Short name for addresses",
        "Test connection of %(name)s",
        "Published, not yet in use",
        "Signing certificate of %(provider)s",
        "Publish this portal's next signing key, give your identity providers the new "
        "metadata, then activate it.",
        # People sync: removing people, and the SFTP source of imports.
        "When a person is deleted",
        "Role of its members",
        "Anonymise after a number of days",
        "This person was deleted and cannot be reactivated.",
        "The server's host key (%(seen)s) does not match the saved fingerprint "
        "(%(expected)s); nothing was sent or fetched.",
        "Host key fingerprint",
        "%(host)s resolves to %(refusal)s; only public hosts are reached.",
    ],
)
def test_message_is_extracted_for_translators(extracted, message):
    assert message in extracted


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("Revoked %(count)s personal API token.", "Revoked %(count)s personal API tokens."),
        ("%(count)s minute", "%(count)s minutes"),
        (
            "%(counter)s deleted person is waiting to be anonymised.",
            "%(counter)s deleted people are waiting to be anonymised.",
        ),
        ("%(what)s expires in %(days)s day", "%(what)s expires in %(days)s days"),
        (
            "The ID token expired %(count)s second ago (allowed clock skew: %(leeway)s s).",
            "The ID token expired %(count)s seconds ago (allowed clock skew: %(leeway)s s).",
        ),
    ],
)
def test_counted_messages_have_plural_forms(extracted, singular, plural):
    assert extracted[singular] == plural


def test_english_is_the_only_language_offered_until_a_catalogue_is_reviewed():
    assert settings.LANGUAGES == [("en", "English")]
    assert [str(path) for path in settings.LOCALE_PATHS] == [str(REPO_ROOT / "locale")]
