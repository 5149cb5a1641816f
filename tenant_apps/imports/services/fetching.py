"""Fetching the tenant's HR export on a schedule, from an HTTPS URL or an SFTP server: the
source's settings (credentials sealed at rest), the fetch itself (public addresses only,
connected to the address checked; HTTPS without redirects; SFTP only to the server whose
host key has the saved fingerprint; a size limit), and the dry run it makes; a run that
passes no threshold may be applied by itself."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.addresses import AddressRefused, host_addresses_checked, networks
from core.errors import ApplicationError, FieldError, ValidationFailed
from core.outbound import pinned_stream
from core.secret_box import secret_open, secret_seal
from tenant_apps.imports.errors import ImportErrorCode
from tenant_apps.imports.models import ImportRun, ImportSource, SourceAuth, SourceKind
from tenant_apps.imports.parsing import MAX_FILE_BYTES
from tenant_apps.imports.services.applying import run_apply_queue
from tenant_apps.imports.services.planning import run_plan, run_upload
from tenant_apps.imports.services.sftp import (
    SftpRefused,
    SftpSource,
    fingerprint_normalised,
    private_key_problem,
    sftp_download,
)
from tenant_apps.people.models import User

FETCH_TIMEOUT_SECONDS = 30.0


class FetchRefused(ApplicationError):
    def __init__(self, message: str, field: str = "url") -> None:
        super().__init__(
            code=ImportErrorCode.FILE_INVALID,
            message=message,
            details=[FieldError(field, message)],
            status=400,
        )


def source_get() -> ImportSource | None:
    return ImportSource.objects.order_by("pk").first()


def url_refusal(url: str) -> str | None:
    """Why this URL may not be fetched (None when it may): HTTPS only (plain HTTP when
    IMPORTS_FETCH_ALLOW_HTTP is on, for tests), and a host on public addresses only
    (IMPORTS_FETCH_ALLOW_PRIVATE admits loopback and private ones, for tests)."""
    if refusal := _scheme_refusal(url):
        return refusal
    parts = urlsplit(url)
    if not parts.hostname or parts.username or parts.password:
        return _("Give a host name, without credentials in the address.")
    try:
        host_addresses_checked(parts.hostname, parts.port or 443, _allowed_networks())
    except AddressRefused as refused:
        return refused.reason
    return None


def _allowed_networks() -> list:
    return networks(["0.0.0.0/0", "::/0"]) if settings.IMPORTS_FETCH_ALLOW_PRIVATE else []


def _scheme_refusal(url: str) -> str | None:
    allowed = {"https", "http"} if settings.IMPORTS_FETCH_ALLOW_HTTP else {"https"}
    return None if urlsplit(url).scheme in allowed else _("Give an https:// address.")


def _sftp_errors(values: dict, secret: str | None, private_key: str | None, saved) -> list:
    errors = []
    host = values.get("sftp_host", "").strip()
    port = values.get("sftp_port") or 22
    if not host:
        errors.append(FieldError("sftp_host", _("Give the SFTP server's host name.")))
    elif not 0 < port < 65536:
        errors.append(FieldError("sftp_port", _("Give a port from 1 to 65535.")))
    else:
        try:
            host_addresses_checked(host, port, _allowed_networks())
        except AddressRefused as refused:
            errors.append(FieldError("sftp_host", refused.reason))
    if not values.get("sftp_path", "").strip():
        errors.append(FieldError("sftp_path", _("Give the path of the file on the server.")))
    if not fingerprint_normalised(values.get("sftp_host_key_fingerprint", "")):
        errors.append(
            FieldError(
                "sftp_host_key_fingerprint",
                _("Give the server's host key fingerprint, as SHA256:… (ssh-keygen -lf)."),
            )
        )
    if not values.get("username"):
        errors.append(FieldError("username", _("Give the user name.")))
    if private_key and (problem := private_key_problem(private_key)):
        errors.append(FieldError("private_key", problem))
    has_saved = saved.kind == SourceKind.SFTP and (saved.secret_sealed or saved.private_key_sealed)
    if not (secret or private_key or has_saved):
        errors.append(FieldError("secret", _("Give the password or a private key.")))
    return errors


@transaction.atomic
def source_save(
    *,
    values: dict,
    secret: str | None,
    actor: User | None,
    private_key: str | None = None,
) -> ImportSource:
    """Save the tenant's fetch source: an HTTPS URL, or an SFTP server (host, port, user,
    path and the host key's fingerprint, which is required). `secret` (password or token)
    and `private_key` (SFTP) are sealed and never shown again; a blank one keeps what was
    saved for the same kind of source."""
    kind = values.get("kind") or SourceKind.HTTPS
    source = source_get() or ImportSource()
    errors = []
    if kind == SourceKind.SFTP:
        errors = _sftp_errors(values, secret, private_key, source)
    else:
        if refusal := url_refusal(values.get("url", "")):
            errors.append(FieldError("url", refusal))
        if values["auth"] == SourceAuth.BASIC and not values.get("username"):
            errors.append(FieldError("username", _("Give the user name.")))
        kept = source.kind == SourceKind.HTTPS and source.secret_sealed
        if values["auth"] != SourceAuth.NONE and not (secret or kept):
            errors.append(FieldError("secret", _("Give the password or token.")))
    if not 1 <= values["every_hours"] <= 168:
        errors.append(FieldError("every_hours", _("Give between 1 and 168 hours.")))
    if errors:
        raise ValidationFailed(ImportErrorCode.MAPPING_INVALID, _("Check the source."), errors)
    if source.kind != kind:  # a credential of one kind of source is not one of the other
        source.secret_sealed = source.private_key_sealed = ""
    source.kind = kind
    for name in ("username", "every_hours", "apply_automatically", "enabled"):
        setattr(source, name, values[name])
    if secret:
        source.secret_sealed = secret_seal(secret)
    if kind == SourceKind.SFTP:
        source.url, source.auth = "", SourceAuth.NONE
        source.sftp_host = values["sftp_host"].strip()
        source.sftp_port = values.get("sftp_port") or 22
        source.sftp_path = values["sftp_path"].strip()
        source.sftp_host_key_fingerprint = fingerprint_normalised(
            values["sftp_host_key_fingerprint"]
        )
        if private_key:
            source.private_key_sealed = secret_seal(private_key)
    else:
        source.url, source.auth = values["url"], values["auth"]
        source.sftp_host = source.sftp_path = source.sftp_host_key_fingerprint = ""
        source.private_key_sealed = ""
        if source.auth == SourceAuth.NONE:
            source.secret_sealed = ""
    source.save()
    return source


def _sftp_fetch(source: ImportSource) -> bytes:
    try:
        return sftp_download(
            SftpSource(
                host=source.sftp_host,
                port=source.sftp_port,
                username=source.username,
                path=source.sftp_path,
                fingerprint=source.sftp_host_key_fingerprint,
                password=secret_open(source.secret_sealed) if source.secret_sealed else "",
                private_key=(
                    secret_open(source.private_key_sealed) if source.private_key_sealed else ""
                ),
            ),
            allowed=_allowed_networks(),
            max_bytes=MAX_FILE_BYTES,
        )
    except SftpRefused as refused:
        raise FetchRefused(refused.message, refused.field) from refused


def _download(source: ImportSource) -> bytes:
    """The file, fetched from the address that was checked (core.outbound: resolved once,
    no second lookup a rebinding DNS answer could change)."""
    if source.kind == SourceKind.SFTP:
        return _sftp_fetch(source)
    if refusal := _scheme_refusal(source.url):
        raise FetchRefused(refusal)
    headers = {"Accept": "text/csv, text/plain;q=0.9, */*;q=0.1"}
    auth = None
    if source.auth == SourceAuth.BASIC:
        auth = httpx.BasicAuth(source.username, secret_open(source.secret_sealed))
    elif source.auth == SourceAuth.BEARER:
        headers["Authorization"] = f"Bearer {secret_open(source.secret_sealed)}"
    try:
        with pinned_stream(
            "GET",
            source.url,
            allowed=_allowed_networks(),
            headers=headers,
            auth=auth,
            timeout=FETCH_TIMEOUT_SECONDS,
        ) as response:
            if response.status_code != 200:
                raise FetchRefused(
                    _("The server answered %(status)d.") % {"status": response.status_code}
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_FILE_BYTES:
                    raise FetchRefused(_("The file is larger than 20 MB."))
            return bytes(body)
    except AddressRefused as refused:
        raise FetchRefused(refused.reason) from refused
    except httpx.HTTPError as exc:
        raise FetchRefused(_("The file could not be fetched: %(why)s") % {"why": exc}) from exc


def source_fetch(*, source: ImportSource, actor: User | None = None) -> ImportRun | None:
    """Fetch the file, store it as a run and make its dry run; apply it when the source
    says so and it passes no threshold. A failure is kept on the source."""
    source.last_fetched_at = timezone.now()
    try:
        data = _download(source)
        path = source.sftp_path if source.kind == SourceKind.SFTP else urlsplit(source.url).path
        name = path.rsplit("/", 1)[-1] or "people.csv"
        run = run_upload(upload=SimpleUploadedFile(name, data, "text/csv"), actor=actor)
        run = run_plan(run=run, actor=actor)
        if source.apply_automatically and not run.needs_confirmation and not run.errors:
            run = run_apply_queue(run=run, actor=actor)
    except ApplicationError as error:
        source.last_error = error.message
        source.save(update_fields=["last_fetched_at", "last_error"])
        return None
    source.last_error, source.last_run = "", run
    source.save(update_fields=["last_fetched_at", "last_error", "last_run"])
    return run


def source_fetch_if_due() -> ImportRun | None:
    """From the beat, per tenant: fetch when the source's interval has passed."""
    source = source_get()
    if source is None or not source.enabled:
        return None
    due = source.last_fetched_at is None or source.last_fetched_at <= timezone.now() - timedelta(
        hours=source.every_hours
    )
    return source_fetch(source=source) if due else None
