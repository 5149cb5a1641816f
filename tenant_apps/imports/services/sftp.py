"""Fetching the HR export over SFTP (asyncssh): connected to the address core.addresses
checked (resolved once), the server's host key checked against the SHA-256 fingerprint the
admin saved before any credential is sent, then the file read, up to the size limit."""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass

import asyncssh
from django.utils.translation import gettext as _

from core.addresses import AddressRefused, Network, host_addresses_checked

TIMEOUT_SECONDS = 30.0
_FINGERPRINT = re.compile(r"^(?:SHA256:)?([A-Za-z0-9+/]{43})=?$")


class SftpRefused(Exception):
    """Why nothing was fetched, in plain words; `field` is the setting it concerns."""

    def __init__(self, message: str, field: str = "sftp_host") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SftpSource:
    host: str
    port: int
    username: str
    path: str
    fingerprint: str  # "SHA256:…", as `ssh-keygen -lf` prints it
    password: str = ""
    private_key: str = ""


def fingerprint_normalised(text: str) -> str | None:
    """`text` as "SHA256:<43 base64 characters>", or None if it is not such a fingerprint."""
    match = _FINGERPRINT.match(text.strip())
    return f"SHA256:{match.group(1)}" if match else None


def private_key_problem(text: str) -> str | None:
    """Why `text` is not a private key Lectern can use (none with a passphrase), or None."""
    try:
        asyncssh.import_private_key(text)
    except (asyncssh.KeyImportError, ValueError, TypeError):
        return _("Paste an unencrypted private key in OpenSSH or PEM format.")
    return None


def public_key_fingerprint(key: asyncssh.SSHKey) -> str:
    return key.get_fingerprint("sha256")


class _HostKeyCheck(asyncssh.SSHClient):
    """Trusts the server only when its host key has the saved fingerprint."""

    def __init__(self, expected: str) -> None:
        self.expected = expected
        self.seen = ""

    def validate_host_public_key(self, host, addr, port, key) -> bool:
        self.seen = public_key_fingerprint(key)
        return hmac.compare_digest(self.seen.encode(), self.expected.encode())


async def _read(source: SftpSource, address: str, max_bytes: int, check: _HostKeyCheck) -> bytes:
    keys = [asyncssh.import_private_key(source.private_key)] if source.private_key else []
    async with (
        asyncssh.connect(
            address,
            source.port,
            username=source.username,
            password=source.password or None,
            client_keys=keys,
            agent_path=None,
            config=[],
            # No known_hosts file: only the saved fingerprint decides (_HostKeyCheck).
            known_hosts=lambda *_: ([], [], []),
            server_host_key_algs="default",
            client_factory=lambda: check,
            connect_timeout=TIMEOUT_SECONDS,
        ) as connection,
        connection.start_sftp_client() as sftp,
    ):
        attributes = await sftp.stat(source.path)
        if attributes.size is not None and attributes.size > max_bytes:
            raise SftpRefused(_("The file is larger than 20 MB."), "sftp_path")
        async with sftp.open(source.path, "rb") as remote:
            data = await remote.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SftpRefused(_("The file is larger than 20 MB."), "sftp_path")
    return data


def sftp_download(source: SftpSource, *, allowed: Iterable[Network] = (), max_bytes: int) -> bytes:
    """The file at `source.path`; raises SftpRefused saying why not."""
    try:
        address = host_addresses_checked(source.host, source.port, allowed)[0]
    except AddressRefused as refused:
        raise SftpRefused(refused.reason) from refused
    check = _HostKeyCheck(source.fingerprint)
    words = {"host": source.host, "path": source.path}
    try:
        return asyncio.run(
            asyncio.wait_for(_read(source, str(address), max_bytes, check), TIMEOUT_SECONDS)
        )
    except SftpRefused:
        raise
    except asyncssh.HostKeyNotVerifiable as exc:
        raise SftpRefused(
            _(
                "The server's host key (%(seen)s) does not match the saved fingerprint "
                "(%(expected)s); nothing was sent or fetched."
            )
            % {"seen": check.seen or _("unknown"), "expected": source.fingerprint},
            "sftp_host_key_fingerprint",
        ) from exc
    except asyncssh.PermissionDenied as exc:
        raise SftpRefused(
            _("%(host)s refused the user name with that password or key.") % words, "username"
        ) from exc
    except asyncssh.SFTPNoSuchFile as exc:
        raise SftpRefused(_("There is no file %(path)s on %(host)s.") % words, "sftp_path") from exc
    except asyncssh.SFTPError as exc:
        raise SftpRefused(
            _("%(host)s would not give %(path)s: %(why)s") % {**words, "why": exc.reason},
            "sftp_path",
        ) from exc
    except TimeoutError as exc:
        raise SftpRefused(_("%(host)s did not answer in time.") % words) from exc
    except (asyncssh.Error, OSError) as exc:
        raise SftpRefused(
            _("%(host)s could not be reached: %(why)s") % {**words, "why": exc}
        ) from exc
