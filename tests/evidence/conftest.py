"""Evidence bundles of the six reference stacks, built once per session with the writer
function from the session's `all_stacks` run (its Inventories and gate results): no stack is
planned again here."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from medinfra.policies.findings import Finding
from medinfra.policies.gate import GateOptions, GateResult, evaluate

from medinfra.evidence.bundle import RunContext, write_bundle
from tests.conftest import REPO

STACKS = ("aws-dev", "aws-prod", "azure-dev", "azure-prod", "gcp-dev", "gcp-prod")
TODAY = dt.date(2026, 12, 7)


def gate_result(report: dict) -> GateResult:
    """The gate's result as `medinfra preview --format json` reported it."""
    return GateResult(
        report["decision"], [Finding(**f) for f in report["findings"]], dict(report["timings"])
    )


@pytest.fixture(scope="session")
def stack_reports(all_stacks) -> dict[str, dict]:
    assert all_stacks.result.code == 0, all_stacks.result.stderr
    return {r["stack"]: r for r in all_stacks.result.json()["stacks"]}


@pytest.fixture(scope="session")
def keypair(tmp_path_factory) -> tuple[Path, Path]:
    """An Ed25519 key pair as PEM files (private, public)."""
    where = tmp_path_factory.mktemp("keys")
    key = Ed25519PrivateKey.generate()
    private, public = where / "signing.pem", where / "signing.pub.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


@pytest.fixture(scope="session")
def bundles(all_stacks, stack_reports, keypair, tmp_path_factory) -> dict[str, Path]:
    """{stack: bundle directory}, every one signed with `keypair`."""
    from medinfra.evidence.signing import signing_key

    root = tmp_path_factory.mktemp("evidence")
    key = signing_key(keypair[0])
    out = {}
    for stack in STACKS:
        inventory = json.loads((all_stacks.inventories / f"{stack}.json").read_text())
        write_bundle(
            root / stack, inventory, gate_result(stack_reports[stack]),
            RunContext(project_dir=REPO), key,
        )
        out[stack] = root / stack
    return out


def copy_bundle(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


@pytest.fixture(scope="session")
def blocked_bundle(all_stacks, tmp_path_factory) -> Path:
    """aws-prod with its model's clinical approval removed (MED-SRV-005 blocks), judged with a
    waiver file holding one waiver that expires in ten days, one expired and one malformed."""
    where = tmp_path_factory.mktemp("blocked")
    inventory = copy.deepcopy(json.loads((all_stacks.inventories / "aws-prod.json").read_text()))
    for model in inventory["config"]["models"]:
        model.pop("approval")
    waivers = where / "waivers.yaml"
    soon = (TODAY + dt.timedelta(days=10)).isoformat()
    waivers.write_text(
        "waivers:\n"
        "  - rule: CKV2_AWS_62\n    resource: '*$medinfra:aws:DataStore$*'\n    stacks: 'aws-*'\n"
        "    reason: No consumer for event notifications on the data stores.\n"
        f"    approved_by: security-officer@medinfra.example\n    ticket: SEC-200\n"
        f"    expires: {soon}\n"
        "  - rule: CKV2_AWS_62\n    resource: '*::access-logs'\n    stacks: 'aws-*'\n"
        "    reason: An exception that ran out, kept to show it is reported.\n"
        "    approved_by: security-officer@medinfra.example\n    ticket: SEC-201\n"
        "    expires: 2026-01-01\n"
        "  - rule: not-a-rule\n    resource: '*'\n"
    )
    gate = evaluate(inventory, GateOptions(waivers_file=waivers, today=TODAY))
    context = RunContext(project_dir=REPO, waivers_file=waivers, gate_date=TODAY)
    write_bundle(where / "bundle", inventory, gate, context)
    return where / "bundle"
