"""npm `saml-idp` (node_modules/, installed by `npm ci`) as a second, independent SAML IdP:
a Node process on a loopback port that answers an AuthnRequest with its sign-in form (the
person's attributes, editable) and then an auto-posting form to the ACS."""

from __future__ import annotations

import contextlib
import http.client
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
PACKAGE = REPO_ROOT / "node_modules" / "saml-idp"
ISSUER = "urn:saml-idp:lectern-tests"


@contextlib.contextmanager
def saml_idp_process(
    *, port: int, cert_file: str, key_file: str, acs_url: str, audience: str, log: Path
) -> Iterator[str]:
    """Yields the IdP's base URL; stopped afterwards."""
    out = log.open("w")
    process = subprocess.Popen(
        [
            "node",
            str(PACKAGE / "bin" / "run.js"),
            "--host=127.0.0.1",
            f"--port={port}",
            f"--cert={cert_file}",
            f"--key={key_file}",
            f"--issuer={ISSUER}",
            f"--acsUrl={acs_url}",
            f"--audience={audience}",
            f"--configFile={PACKAGE / 'config.js'}",
        ],
        cwd=str(REPO_ROOT),
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"saml-idp exited: {log.read_text()}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/metadata")
                if conn.getresponse().status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("saml-idp did not start within 30 s")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        out.close()
