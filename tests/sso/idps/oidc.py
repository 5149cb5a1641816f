"""A real OpenID provider for the tests (npm `oidc-provider`, run by Node from
`oidc_provider.mjs` on a free loopback port), a browser-less way through its sign-in, and
the keys it signs with (made here, so a test can rotate them by restarting it)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.live import REPO_ROOT, free_port

SCRIPT = Path(__file__).resolve().parent / "oidc_provider.mjs"
NODE = shutil.which("node") or "node"


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    @classmethod
    def make(cls, kid: str) -> SigningKey:
        return cls(kid=kid, private=rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def private_jwk(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


@dataclass
class OidcProviderProcess:
    """oidc-provider serving one client (`client_id`/`client_secret`, `redirect_uris`)."""

    workdir: Path
    client_id: str = "lectern-tests"
    client_secret: str = "a-client-secret-long-enough-for-hs256-0123456789"
    redirect_uris: list[str] = field(default_factory=list)
    routes: dict[str, str] = field(default_factory=dict)
    accept_query_access_tokens: bool = False
    port: int = field(default_factory=free_port)
    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey.make("key-1")])
    process: subprocess.Popen | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def account_file(self) -> Path:
        return self.workdir / "account.json"

    def account_set(self, sub: str, **claims) -> None:
        """What the provider asserts at the next sign-in (read by it at every sign-in)."""
        self.account_file.write_text(json.dumps({"sub": sub, "claims": claims}))

    def start(self) -> OidcProviderProcess:
        if not self.account_file.exists():
            self.account_set("nobody", email="nobody@example.org")
        config = {
            "port": self.port,
            "issuer": self.issuer,
            "jwks": {"keys": [key.private_jwk() for key in self.keys]},
            "account_file": str(self.account_file),
            "routes": self.routes,
            "accept_query_access_tokens": self.accept_query_access_tokens,
            "clients": [
                {
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "redirect_uris": self.redirect_uris,
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_basic",
                }
            ],
        }
        config_file = self.workdir / "oidc-provider.json"
        config_file.write_text(json.dumps(config))
        self.process = subprocess.Popen(
            [NODE, str(SCRIPT), str(config_file)],
            cwd=REPO_ROOT,
            stdout=(self.workdir / "oidc-provider.log").open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                log = (self.workdir / "oidc-provider.log").read_text()
                raise RuntimeError(f"oidc-provider exited at start-up:\n{log}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.issuer}/jwks", timeout=2).status_code == 200:
                    return self
            if time.monotonic() > deadline:
                raise RuntimeError("oidc-provider did not answer within 30 s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.process = None

    def rotate_key(self, kid: str) -> SigningKey:
        """Restart signing with a new key only (the old one is no longer published)."""
        key = SigningKey.make(kid)
        self.stop()
        self.keys = [key]
        self.start()
        return key

    def discovery(self) -> dict:
        return requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5).json()


def sign_in_at_provider(authorization_url: str, session: requests.Session | None = None) -> str:
    """Follow the provider's redirects from `authorization_url` (its login interaction signs
    the configured account in without a UI) until it sends the browser back to the
    relying party; returns that callback URL. Cookies stay in `session` (the browser)."""
    browser = session or requests.Session()
    url = authorization_url
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(authorization_url))
    for _ in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code not in (302, 303):
            raise AssertionError(
                f"the provider answered {response.status_code} at {url}: {response.text[:500]}"
            )
        location = urljoin(url, response.headers["Location"])
        if not location.startswith(origin):
            return location
        url = location
    raise AssertionError("the provider kept redirecting")


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
