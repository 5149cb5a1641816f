"""Fetching the HR export over SFTP from a real SFTP server (asyncssh, in this process, on
loopback): the host key's fingerprint is required and checked before any credential is
sent, password or private key sealed at rest and never shown, public addresses only."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from core.errors import ValidationFailed
from core.secret_box import secret_open
from tenant_apps.imports.models import ImportSource, RunStatus
from tenant_apps.imports.services.fetching import source_fetch, source_save
from tests.tenant_apps.imports.conftest import people_csv

USER = "hr-bot"
PASSWORD = "correct horse battery staple"


class SftpServer:
    """An SFTP server on a free loopback port, serving `root`, on a loop of its own."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.fingerprint = self.host_key.get_fingerprint("sha256")
        self.client_key = asyncssh.generate_private_key("ssh-ed25519")
        self.auth_attempts = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _start(self):
        owner = self

        class Accounts(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True

            def password_auth_supported(self) -> bool:
                return True

            def validate_password(self, username: str, password: str) -> bool:
                owner.auth_attempts += 1
                return username == USER and password == PASSWORD

            def public_key_auth_supported(self) -> bool:
                return True

            def validate_public_key(self, username: str, key) -> bool:
                owner.auth_attempts += 1
                wanted = owner.client_key.export_public_key()
                return username == USER and key.export_public_key() == wanted

        return await asyncssh.create_server(
            Accounts,
            "127.0.0.1",
            0,
            server_host_keys=[self.host_key],
            sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=str(self.root)),
        )

    def stop(self) -> None:
        self.server.close()
        asyncio.run_coroutine_threadsafe(self.server.wait_closed(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def sftp_server(tmp_path, settings, outbound_dns) -> Iterator[SftpServer]:
    settings.IMPORTS_FETCH_ALLOW_PRIVATE = True  # the server runs on loopback
    # Known to the loopback DNS server only: the fetch connects to the address checked.
    outbound_dns.addresses["sftp.example.test"] = ["127.0.0.1"]
    root = tmp_path / "sftp"
    (root / "exports").mkdir(parents=True)
    (root / "exports" / "people.csv").write_text(
        people_csv([("sftp@example.com", "Via Sftp", "S1", "", "", "", "")])
    )
    server = SftpServer(root)
    yield server
    server.stop()


def _values(server: SftpServer, **overrides) -> dict:
    return {
        "kind": "sftp",
        "sftp_host": "sftp.example.test",
        "sftp_port": server.port,
        "sftp_path": "/exports/people.csv",
        "sftp_host_key_fingerprint": server.fingerprint,
        "username": USER,
        "auth": "none",
        "every_hours": 24,
        "apply_automatically": False,
        "enabled": True,
        **overrides,
    }


def test_a_password_fetch_makes_a_dry_run(sftp_server, in_tenant_a, admin, standard_mapping):
    standard_mapping()
    source = source_save(values=_values(sftp_server), secret=PASSWORD, actor=admin)
    assert PASSWORD not in source.secret_sealed
    assert secret_open(source.secret_sealed) == PASSWORD
    run = source_fetch(source=source)
    assert run is not None, ImportSource.objects.get().last_error
    assert run.status == RunStatus.PLANNED
    assert run.original_name == "people.csv"
    assert run.counts["create"] == 1
    assert str(ImportSource.objects.get()) == (
        f"sftp://sftp.example.test:{sftp_server.port}/exports/people.csv"
    )


def test_a_private_key_fetch(sftp_server, in_tenant_a, admin, standard_mapping):
    standard_mapping()
    key = sftp_server.client_key.export_private_key().decode()
    source = source_save(values=_values(sftp_server), secret=None, private_key=key, actor=admin)
    assert source.secret_sealed == "" and secret_open(source.private_key_sealed) == key
    run = source_fetch(source=source)
    assert run is not None, ImportSource.objects.get().last_error
    assert run.counts["create"] == 1


def test_a_host_key_that_does_not_match_is_refused_before_signing_in(
    sftp_server, in_tenant_a, admin, standard_mapping
):
    standard_mapping()
    other = asyncssh.generate_private_key("ssh-ed25519").get_fingerprint("sha256")
    source = source_save(
        values=_values(sftp_server, sftp_host_key_fingerprint=other), secret=PASSWORD, actor=admin
    )
    assert source_fetch(source=source) is None
    source.refresh_from_db()
    assert source.last_error == (
        f"The server's host key ({sftp_server.fingerprint}) does not match the saved "
        f"fingerprint ({other}); nothing was sent or fetched."
    )
    assert sftp_server.auth_attempts == 0


def test_wrong_credentials_and_a_missing_file_say_so(
    sftp_server, in_tenant_a, admin, standard_mapping
):
    standard_mapping()
    source = source_save(values=_values(sftp_server), secret="wrong", actor=admin)
    assert source_fetch(source=source) is None
    source.refresh_from_db()
    assert source.last_error == "sftp.example.test refused the user name with that password or key."
    source = source_save(
        values=_values(sftp_server, sftp_path="/exports/none.csv"), secret=PASSWORD, actor=admin
    )
    assert source_fetch(source=source) is None
    source.refresh_from_db()
    assert source.last_error == "There is no file /exports/none.csv on sftp.example.test."


def test_the_fingerprint_is_required_and_addresses_are_checked(
    sftp_server, settings, outbound_dns, in_tenant_a, admin
):
    with pytest.raises(ValidationFailed) as refused:
        source_save(
            values=_values(sftp_server, sftp_host_key_fingerprint=""), secret=PASSWORD, actor=admin
        )
    assert [d.field for d in refused.value.details] == ["sftp_host_key_fingerprint"]
    with pytest.raises(ValidationFailed) as refused:
        source_save(values=_values(sftp_server), secret=None, actor=admin)
    assert [d.field for d in refused.value.details] == ["secret"]
    settings.IMPORTS_FETCH_ALLOW_PRIVATE = False
    outbound_dns.addresses["hr.example.test"] = ["10.0.0.7"]
    with pytest.raises(ValidationFailed) as refused:
        source_save(
            values=_values(sftp_server, sftp_host="hr.example.test"), secret=PASSWORD, actor=admin
        )
    assert [(d.field, d.message) for d in refused.value.details] == [
        (
            "sftp_host",
            "hr.example.test resolves to 10.0.0.7 is a private address; only public hosts "
            "are reached.",
        )
    ]
    assert not ImportSource.objects.exists()


def test_the_source_page_saves_sftp_and_never_shows_the_secrets(
    portal, admin, sftp_server, standard_mapping
):
    standard_mapping()
    client = portal(admin)
    page = "/manage/people-sync/imports/source/"
    key = sftp_server.client_key.export_private_key().decode()
    form = {
        "kind": "sftp",
        "sftp_host": "sftp.example.test",
        "sftp_port": str(sftp_server.port),
        "sftp_path": "/exports/people.csv",
        "sftp_host_key_fingerprint": "",
        "username": USER,
        "secret": PASSWORD,
        "private_key": key,
        "auth": "none",
        "every_hours": "24",
        "enabled": "on",
    }
    refused = client.post(page, form)
    assert refused.status_code == 400
    assert "sftp_host_key_fingerprint" in refused.context["form"].errors
    assert PASSWORD not in refused.content.decode()
    assert "PRIVATE KEY" not in refused.content.decode()
    saved = client.post(page, {**form, "sftp_host_key_fingerprint": sftp_server.fingerprint})
    assert saved.status_code == 302
    shown = client.get(page).content.decode()
    assert sftp_server.fingerprint in shown
    assert PASSWORD not in shown and "PRIVATE KEY" not in shown
    fetched = client.post("/manage/people-sync/imports/source/fetch/")
    assert fetched.status_code == 302 and "/manage/people-sync/imports/" in fetched["Location"]
