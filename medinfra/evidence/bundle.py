"""Write one evidence bundle per gated run, from any entry point (preview, gate, policy pack).

`write_bundle(directory, inventory, gate, ...)` takes what the run had: the Inventory, the
gate's result (decision, findings, timings, exit code) and, where the entry point knows it, the
stack's full config and the policy-pack config the gate was given. It writes every file of
BUNDLE_FILES (0600), PACK_CONFIG when the run had a policy-pack config, then manifest.json with
the sha256 of each, and, given an Ed25519 key, manifest.sig over the manifest's bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medinfra.components.config.constants import NAMESPACE
from medinfra.evidence import parts
from medinfra.evidence.files import (
    EvidenceError,
    digest,
    private_dir,
    render_json,
    write_private,
)
from medinfra.evidence.sbom import sbom
from medinfra.evidence.signing import fingerprint, sign
from medinfra.policies.rules import RULES_DIR
from medinfra.policies.waivers import WAIVERS_FILE

FORMAT = "medinfra-evidence/v1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
BUNDLE_FILES = (
    "inventory.json",
    "findings.json",
    "decision.json",
    "policy-bundle.json",
    "config.json",
    "models.json",
    "sbom.cdx.json",
    "provenance.json",
)
PACK_CONFIG = "pack-config.json"
"""The reconciled policy-pack config the gate judged with (`--policy-pack-config`, or what the
Pulumi CLI sent with Configure); only in bundles of runs that had one, so that older bundles
and runs without one keep exactly BUNDLE_FILES."""
OPTIONAL_FILES = (PACK_CONFIG,)
_RUN_NAMESPACE = uuid.UUID("0b7f6c1e-93a8-4b0e-8f34-6d65642d6576")


@dataclass
class RunContext:
    """What an entry point knows beyond the Inventory and the gate result."""

    entry_point: str = "medinfra preview"
    config: dict[str, Any] | None = None
    """The stack's full config as {key: value}; default: the Inventory's (`medinfra:*` keys)."""
    secret_keys: frozenset[str] = frozenset()
    project_dir: Path | None = None
    rules_dir: Path = RULES_DIR
    waivers_file: Path = WAIVERS_FILE
    gate_date: dt.date | None = None
    """The day the gate judged waiver expiry by (default: today, UTC)."""
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    provenance: dict[str, Any] | None = None
    """Computed once per run (before any output is written) when several bundles are made."""
    checkov_checks: list[str] | None = None
    """The Checkov ids the gate evaluated, if the entry point has them (else scanned here)."""
    pack_config: Mapping[str, Mapping[str, Any]] | None = None
    """The policy-pack config as the gate had it (GateOptions.pack_config), None without one."""
    extra: dict[str, Any] = field(default_factory=dict)


def pack_config_document(configured: Any) -> dict[str, Any] | None:
    """PACK_CONFIG: the policy-pack config the gate judged with, as the pack had it after
    Configure ({policy: {"enforcementLevel", "properties"}}), with its digest; None without one.
    Nothing in it is secret: Pulumi's policy config has no secret values, and the gate refuses
    any key but regions, tag names and values, trust patterns, a retention and levels."""
    if not configured:
        return None
    document = json.loads(json.dumps(configured))  # plain JSON (a Mapping may be a proxy)
    return {"configured": document, "sha256": digest(document)}


def _finding_dicts(gate: Any) -> list[dict[str, Any]]:
    return [f if isinstance(f, dict) else f.to_dict() for f in gate.findings]


def collect(inventory: dict[str, Any], gate: Any, context: RunContext) -> dict[str, Any]:
    """Every bundle document (name -> JSON value) for one run. `gate` is a GateResult or any
    object with decision, findings (Finding or dict), timings and exit_code."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    finished = context.finished_at or now
    started = context.started_at or finished
    today = context.gate_date or finished.date()
    stack, project = str(inventory.get("stack", "")), str(inventory.get("project", ""))
    findings = _finding_dicts(gate)
    run_id = str(uuid.uuid5(_RUN_NAMESPACE, f"{project}/{stack}/{digest(inventory)}/{finished}"))
    if context.config is None:
        values = {f"{NAMESPACE}:{k}": v for k, v in (inventory.get("config") or {}).items()}
    else:
        values = dict(context.config)
    checks = context.checkov_checks
    if checks is None:
        try:
            checks = parts.evaluated_checks(inventory)
        except Exception as exc:  # noqa: BLE001 - recorded, never hidden
            checks = [f"unavailable: {type(exc).__name__}"]
    config = parts.redacted_config(values, context.secret_keys)
    provenance = dict(context.provenance or parts.provenance(context.project_dir, finished))
    provenance["entry_point"] = context.entry_point
    provenance["run_id"] = run_id
    pack_config = pack_config_document(context.pack_config)
    policy = parts.policy_bundle(context.rules_dir, context.waivers_file, checks)
    policy["pack_config"] = (
        {"file": PACK_CONFIG, "sha256": pack_config["sha256"]} if pack_config else None
    )
    documents = {
        "inventory.json": inventory,
        "findings.json": {
            "project": project,
            "stack": stack,
            "findings": findings,
            "waivers": parts.waiver_status(
                findings, context.waivers_file, stack, today, context.rules_dir
            ),
        },
        "decision.json": {
            "project": project,
            "stack": stack,
            "run_id": run_id,
            "decision": gate.decision,
            "exit_code": gate.exit_code,
            "counts": parts.counts(findings),
            "controls": parts.control_index(findings),
            "timings": dict(gate.timings),
            "gate_date": today.isoformat(),
            "started_at": parts._utc(started),
            "finished_at": parts._utc(finished),
            "entry_point": context.entry_point,
        },
        "policy-bundle.json": policy,
        "config.json": {"project": project, "stack": stack, **config},
        "models.json": {"stack": stack, **parts.models(inventory, gate.decision, findings)},
        "sbom.cdx.json": sbom(run_id, finished),
        "provenance.json": provenance,
    }
    if pack_config:
        documents[PACK_CONFIG] = pack_config
    return documents


def write_documents(directory: Path, documents: dict[str, Any], key=None) -> Path:
    """Write a bundle's documents, its manifest and (with `key`) the manifest's signature."""
    private_dir(directory)
    ours = {*BUNDLE_FILES, *OPTIONAL_FILES, MANIFEST, SIGNATURE}
    strangers = sorted(p.name for p in directory.iterdir() if p.name not in ours)
    if strangers:
        raise EvidenceError(
            f"{directory}: holds files that are not evidence ({', '.join(strangers[:3])}); "
            "give an empty or evidence-only directory"
        )
    (directory / SIGNATURE).unlink(missing_ok=True)
    for name in OPTIONAL_FILES:  # an earlier run's, which this run's manifest would not list
        if name not in documents:
            (directory / name).unlink(missing_ok=True)
    hashes = {}
    for name in (*BUNDLE_FILES, *(n for n in OPTIONAL_FILES if n in documents)):
        data = render_json(documents[name])
        write_private(directory / name, data)
        hashes[name] = hashlib.sha256(data).hexdigest()
    manifest = {
        "format": FORMAT,
        "project": documents["decision.json"]["project"],
        "stack": documents["decision.json"]["stack"],
        "run_id": documents["decision.json"]["run_id"],
        "files": hashes,
        "files_sha256": digest(hashes),
        "signature": (
            {"algorithm": "ed25519", "file": SIGNATURE, "key_sha256": fingerprint(key.public_key())}
            if key is not None
            else None
        ),
    }
    data = render_json(manifest)
    write_private(directory / MANIFEST, data)
    if key is not None:
        write_private(directory / SIGNATURE, sign(key, data))
    return directory


def write_bundle(
    directory: Path,
    inventory: dict[str, Any],
    gate: Any,
    context: RunContext | None = None,
    key=None,
) -> dict[str, Any]:
    """Collect and write one run's bundle into `directory`; return its documents."""
    documents = collect(inventory, gate, context or RunContext())
    write_documents(Path(directory), documents, key)
    return documents
