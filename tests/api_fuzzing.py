"""Schemathesis against a live Lectern server, for tests/lectern/test_api_contract.py and
benchmarks/fuzz.py: a tenant with real content to fuzz, a server to fuzz it on, the run,
and what it found.

The run loads the OpenAPI document from `/api/v1/schema/` on the tenant's host (a Host
header picks the tenant) and runs every check (`--checks all`) in every phase, as a tenant
admin with a personal token, deterministically (no randomness between runs). Two
operations would end the fuzzer's own credential and are left out: `auth/logout` and
deleting a personal token. Changing, deactivating and reactivating a person always aim at
one stand-in learner, so the fuzzer never demotes or locks out its own admin.

One built-in check is replaced (tests/schemathesis_checks.py): "a request the document
calls valid is accepted" holds for the shape of a request (a refusal with the code
`invalid`, from a serializer or the parser, is a failure), while a 400 with a business
rule's own code (a due date in the past, a lesson of another course, a file that is no
image) is the services' answer that no schema can foresee.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Operations that would revoke the credential the fuzzer signs in with.
EXCLUDED_OPERATIONS = ("auth_logout_create", "me_tokens_destroy")
# Operations on a person, pointed at the stand-in so the fuzzer's admin stays one.
STAND_IN_OPERATIONS = ("users_partial_update", "users_deactivate_create", "users_reactivate_create")


@dataclass(frozen=True)
class FuzzTenant:
    host: str
    admin_token: str
    stand_in_id: int


@dataclass
class FuzzResult:
    cases: int
    failures: int
    server_errors: int
    failure_lines: list[str] = field(default_factory=list)
    output: str = ""


def seed_fuzz_tenant(tenant) -> FuzzTenant:
    """Fill a new tenant with the demo content (courses, lessons, a quiz, enrollments,
    progress, a group) through the real services, plus a stand-in learner and a personal
    token of its first admin. Call with the database unblocked."""
    from django_tenants.utils import schema_context

    from lectern.demo import seed_demo_content
    from tenant_apps.people.models import Role, User
    from tenant_apps.people.services import user_create
    from tenant_apps.people.tokens import personal_token_issue

    with schema_context(tenant.schema_name):
        admin = User.objects.get(role=Role.ADMIN)
        seed_demo_content(admin=admin)
        stand_in = user_create(
            email=f"stand-in@{tenant.slug}.example.com", full_name="Stand In", role=Role.LEARNER
        )
        token = personal_token_issue(user=admin, name="schemathesis").secret
    return FuzzTenant(host=f"{tenant.slug}.localhost", admin_token=token, stand_in_id=stand_in.pk)


# ------------------------------------------------------------------------------------------
# The run
def config_toml(*, target: FuzzTenant, max_examples: int, workers: int) -> str:
    """schemathesis.toml for one run."""
    excluded = ", ".join(f'"{name}"' for name in EXCLUDED_OPERATIONS)
    lines = [
        f"workers = {workers}",
        'hooks = "tests.schemathesis_checks"',
        "[checks]",
        "enabled = true",
        "[checks.positive_data_acceptance]",
        "enabled = false  # replaced by positive_data_acceptance_of_shape",
        "[generation]",
        "deterministic = true",
        f"max-examples = {max_examples}",
        "database = 'none'",
        "[[operations]]",
        f"include-operation-id = [{excluded}]",
        "enabled = false",
    ]
    for operation in STAND_IN_OPERATIONS:
        lines += [
            "[[operations]]",
            f'include-operation-id = "{operation}"',
            f"parameters = {{ user_id = {target.stand_in_id} }}",
        ]
    return "\n".join(lines) + "\n"


def run_schemathesis(
    *,
    base_url: str,
    target: FuzzTenant,
    out_dir: Path,
    max_examples: int,
    workers: int = 1,
    timeout: float = 3600,
) -> FuzzResult:
    """Run schemathesis over the tenant API of `base_url` and count what it found."""
    out_dir.mkdir(parents=True, exist_ok=True)
    config = out_dir / "schemathesis.toml"
    config.write_text(config_toml(target=target, max_examples=max_examples, workers=workers))
    report = out_dir / "events.ndjson"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{base_url}/api/v1/schema/?format=json",
        "-H",
        f"Host: {target.host}",
        "-H",
        f"Authorization: Bearer {target.admin_token}",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    finished = subprocess.run(
        command,
        cwd=out_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = finished.stdout + finished.stderr
    if not report.exists():
        raise RuntimeError(f"schemathesis wrote no report:\n{output}")
    result = read_report(report)
    result.output = output
    if finished.returncode not in (0, 1) or "Failed to load specification" in output:
        raise RuntimeError(f"schemathesis could not run ({finished.returncode}):\n{output}")
    return result


def read_report(path: Path) -> FuzzResult:
    """Requests made, distinct failures (check, operation, status) and 5xx answers."""
    requests = 0
    server_errors = 0
    failures: dict[tuple[str, str, int | None], str] = {}
    for line in path.read_text().splitlines():
        event = json.loads(line)
        scenario = event.get("ScenarioFinished")
        if not scenario:
            continue
        recorder = scenario["recorder"]
        interactions = recorder.get("interactions", {})
        for interaction in interactions.values():
            response = interaction.get("response")
            requests += 1
            if response and response["status_code"] >= 500:
                server_errors += 1
        for case_id, checks in recorder.get("checks", {}).items():
            for check in checks:
                if check["status"] != "failure":
                    continue
                failure = check["failure_info"]["failure"]
                interaction = interactions.get(case_id) or {}
                response = interaction.get("response") or {}
                status = response.get("status_code")
                key = (failure.get("title", check["name"]), failure["operation"], status)
                if key not in failures:
                    request = interaction.get("request", {})
                    failures[key] = (
                        f"{failure.get('code', '')} {failure.get('title', check['name'])}: "
                        f"{request.get('method', '')} {request.get('uri', '')} "
                        f"{_body(request)}-> {status} {_body(response)}"
                    )
    return FuzzResult(
        cases=requests,
        failures=len(failures),
        server_errors=server_errors,
        failure_lines=list(failures.values()),
    )


def _body(message: dict) -> str:
    content = message.get("body") or message.get("content")
    if not content:
        return ""
    if isinstance(content, dict) and "$base64" in content:
        text = base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    else:
        text = str(content)
    return text[:300] + " "
