"""The demo tenant's identity provider under `lectern dev`: a real OpenID Connect provider
(npm `oidc-provider`, run by Node from `provider.mjs`) on a loopback port, configured as an
identity provider of the demo tenant, so "Sign in with Demo identity provider" works on the
demo as an organisation's SSO would. Development only: it lets you pick who signs in."""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

from django.db import transaction
from django_tenants.utils import schema_context

from sso.models import IdentityProvider, ProviderKind
from sso.services.providers import provider_create, provider_update

SCRIPT = Path(__file__).resolve().parent / "provider.mjs"
REPO_ROOT = Path(__file__).resolve().parents[3]
SLUG = "demo-identity"
NAME = "Demo identity provider"
CLIENT_ID = "lectern-demo"
EMAIL_DOMAIN = "demo.example.com"
MAPPING = {
    "email": "email",
    "first_name": "given_name",
    "last_name": "family_name",
    "display_name": "name",
    "groups": "groups",
    "department": "department",
}
# Who can sign in there: two people the demo already has (linked at their first sign-in)
# and one it does not (created just in time).
PEOPLE = [
    {
        "sub": "demo-lena",
        "email": "learner@demo.example.com",
        "name": "Lena Learner",
        "given_name": "Lena",
        "family_name": "Learner",
        "groups": ["learners"],
        "department": "Sales",
        "note": "already in the portal: linked at the first sign-in",
    },
    {
        "sub": "demo-ivan",
        "email": "instructor@demo.example.com",
        "name": "Ivan Instructor",
        "given_name": "Ivan",
        "family_name": "Instructor",
        "groups": ["authors"],
        "department": "Training",
        "note": "already in the portal: linked at the first sign-in",
    },
    {
        "sub": "demo-jo",
        "email": "jo@demo.example.com",
        "name": "Jo Newcomer",
        "given_name": "Jo",
        "family_name": "Newcomer",
        "groups": ["learners"],
        "department": "Support",
        "note": "not in the portal yet: created just in time",
    },
]


def node_ready() -> str | None:
    """Why the demo identity provider cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not (REPO_ROOT / "node_modules" / "oidc-provider").is_dir():
        return "node_modules/oidc-provider is missing (bin/install installs it)"
    return None


def demo_identity_configure(
    *, schema_name: str, portal_url: str, port: int, config_path: Path
) -> str:
    """Make (or bring up to date) the demo tenant's provider for an IdP on `port`, with a
    new client secret, and write the IdP's configuration to `config_path`. Returns the
    issuer URL."""
    issuer = f"http://127.0.0.1:{port}"
    client_secret = secrets.token_urlsafe(32)
    values = {
        "name": NAME,
        "oidc_issuer": issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": client_secret,
        "oidc_scopes": "openid email profile groups",
        "email_domains": [EMAIL_DOMAIN],
        "attribute_mapping": MAPPING,
        "link_existing_accounts": True,
        "enabled": True,
    }
    with schema_context(schema_name), transaction.atomic():
        existing = IdentityProvider.objects.filter(slug=SLUG).first()
        if existing is None:
            provider_create(actor=None, kind=ProviderKind.OIDC, slug=SLUG, **values)
        else:
            provider_update(provider=existing, actor=None, **values)
    config = {
        "port": port,
        "issuer": issuer,
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": client_secret,
            "redirect_uris": [f"{portal_url}/sso/oidc/{SLUG}/callback/"],
        },
        "people": PEOPLE,
    }
    config_path.write_text(json.dumps(config, indent=2))
    config_path.chmod(0o600)
    return issuer


def demo_identity_command(config_path: Path) -> list[str]:
    return [shutil.which("node") or "node", str(SCRIPT), str(config_path)]
