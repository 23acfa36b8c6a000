"""The documents of an evidence bundle, each from what one gated run knew.

Nothing here holds a secret: the Inventory and its config are redacted where they are made
(policies/inventory.py), and stack config given here is redacted by its secret key names.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import subprocess
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from medinfra.evidence.files import digest, file_sha256
from medinfra.policies.findings import FRAMEWORKS
from medinfra.policies.inventory import SECRET_MARK
from medinfra.policies.rules import RULES_DIR, load_rules
from medinfra.policies.waivers import WaiverFileError, load_waivers

ISVC_TYPE = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
TOOLS = (
    "medinfra",
    "pulumi",
    "pulumi-policy",
    "pulumi-aws",
    "pulumi-azure-native",
    "pulumi-gcp",
    "pulumi-kubernetes",
    "celine-regorus",
    "cyclonedx-python-lib",
    "cryptography",
)


def version_of(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _policy_files(rules_dir: Path, waivers_file: Path) -> dict[str, str]:
    """{bundle-relative path: sha256} of everything that decides a finding."""
    files = {
        f"rego/{p.relative_to(rules_dir).as_posix()}": file_sha256(p)
        for p in sorted(rules_dir.rglob("*.rego"))
        if not p.name.endswith("_test.rego")
    }
    from medinfra.policies import checkov_bridge

    checks = Path(checkov_bridge.__file__).resolve().parent
    for p in sorted(checks.rglob("*.py")) + sorted(checks.glob("*.json")):
        files[f"checkov_bridge/{p.relative_to(checks).as_posix()}"] = file_sha256(p)
    if waivers_file.is_file():
        files["waivers.yaml"] = file_sha256(waivers_file)
    return files


def policy_bundle(
    rules_dir: Path = RULES_DIR,
    waivers_file: Path | None = None,
    checkov_checks: list[str] | None = None,
) -> dict[str, Any]:
    """Every rule with its METADATA and file digest, the digest of the whole bundle, and
    Checkov's version and the check ids it evaluated on this plan."""
    from medinfra.policies.waivers import WAIVERS_FILE

    waivers_file = waivers_file or WAIVERS_FILE
    files = _policy_files(rules_dir, waivers_file)
    rules = [
        {
            "id": r.id,
            "name": r.name,
            "file": f"rego/{r.path.relative_to(rules_dir).as_posix()}",
            "sha256": files[f"rego/{r.path.relative_to(rules_dir).as_posix()}"],
            "metadata": {
                "title": r.title,
                "description": r.description,
                "severity": r.severity,
                "controls": r.controls,
                "resource_types": list(r.resource_types),
                "remediation": r.remediation,
                "waivable": r.waivable,
            },
        }
        for r in load_rules(rules_dir)
    ]
    return {
        "rules": rules,
        "files": files,
        "sha256": digest(files),
        "checkov": {"version": checkov_version(), "checks_evaluated": checkov_checks},
    }


def checkov_version(timeout_s: float = 60.0) -> str | None:
    """Checkov's version as its own environment's worker reports it (Checkov is not installed
    beside MedInfra); None if no worker answers (the gate itself then fails closed)."""
    from medinfra.policies.checkov_bridge.runner import CheckovError
    from medinfra.policies.checkov_bridge.workers import default_client

    try:
        return default_client().hello(timeout_s)["checkov"]
    except CheckovError:
        return None


def evaluated_checks(inventory: dict[str, Any], timeout_s: float = 120.0) -> list[str]:
    """The Checkov check ids that produce a result on this Inventory (its selection applied)."""
    from medinfra.policies.checkov_bridge.workers import default_client
    from medinfra.policies.gate import _checkov_selection

    selection = _checkov_selection(inventory)
    found = default_client().scan(inventory.get("resources", []), selection, timeout_s)
    return sorted({r.check_id for r in found.results})


def waiver_status(
    findings: list[dict[str, Any]],
    waivers_file: Path,
    stack: str,
    today: dt.date,
    rules_dir: Path = RULES_DIR,
) -> dict[str, Any]:
    """Each waiver of the file as applied to this run: applied (to which findings), expired,
    not waivable, malformed, another stack, or matching nothing."""
    try:
        parsed = load_waivers(waivers_file)
    except WaiverFileError as exc:
        return {"file_sha256": None, "error": str(exc), "waivers": []}
    not_waivable = {r.id for r in load_rules(rules_dir) if not r.waivable}
    entries: list[dict[str, Any]] = []
    for index, problem in parsed.problems:
        entries.append({"index": index + 1, "status": "malformed", "problem": problem})
    for index, waiver in parsed.waivers:
        record = waiver.model_dump(mode="json")
        covered = [
            f["urn"]
            for f in findings
            if f["id"] == waiver.rule
            and f["waiver"]
            and f["waiver"].get("ticket") == waiver.ticket
            and fnmatchcase(f["urn"], waiver.resource)
        ]
        if waiver.expires < today:
            status = "expired"
        elif not fnmatchcase(stack, waiver.stacks):
            status = "other-stack"
        elif waiver.rule in not_waivable:
            status = "not-waivable"
        elif covered:
            status = "applied"
        else:
            status = "unmatched"
        entries.append(
            {
                "index": index + 1,
                "status": status,
                "waiver": record,
                "days_left": (waiver.expires - today).days,
                "covers": covered,
            }
        )
    entries.sort(key=lambda e: e["index"])
    sha = file_sha256(waivers_file) if waivers_file.is_file() else None
    return {"file_sha256": sha, "evaluated_on": today.isoformat(), "waivers": entries}


def redacted_config(values: dict[str, Any], secret_keys: set[str] | frozenset[str]) -> dict:
    """Stack config, every secret key's value replaced, with the digest of what remains."""
    shown = {k: SECRET_MARK if k in secret_keys else values[k] for k in sorted(values)}
    return {"values": shown, "secret_keys": sorted(secret_keys), "sha256": digest(shown)}


def _filled(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _served_entry(model: dict[str, Any], version: Any, sha256: Any) -> dict[str, Any]:
    """The config entry of the version an InferenceService serves: the model itself in the
    single-version form, else the entry of `versions` with that version and sha256."""
    if not isinstance(model.get("versions"), list):
        return model
    for entry in model["versions"]:
        if isinstance(entry, dict) and (entry.get("version"), entry.get("sha256")) == (
                version, sha256):
            return entry
    return {}


def models(
    inventory: dict[str, Any], decision: str, findings: list[dict[str, Any]]
) -> dict[str, Any]:
    """Per served model: what runs (artefact and image digests, version, stage), its clinical
    approval, and both verdicts: *clinically eligible* (an approval recorded for exactly this
    version and sha256, as MED-SRV-005 requires) and *deployable* (the gate allows the update and
    no finding blocks on the model's own resources)."""
    config = inventory.get("config") or {}
    configured = {m.get("name"): m for m in config.get("models") or [] if isinstance(m, dict)}
    blocking = {}
    for f in findings:
        if f["enforcement"] == "mandatory" and not f["waiver"]:
            blocking.setdefault(f["urn"], []).append(f["id"])
    out = []
    for r in inventory.get("resources", []):
        if r.get("type") != ISVC_TYPE:
            continue
        meta = r["props"].get("metadata") or {}
        annotations = meta.get("annotations") or {}
        predictor = (r["props"].get("spec") or {}).get("predictor") or {}
        image = str((predictor.get("model") or {}).get("image") or "")
        name = meta.get("name") or r["name"]
        model = configured.get(name, {})
        version = annotations.get("medinfra.io/model-version")
        sha256 = annotations.get("medinfra.io/model-sha256")
        wanted = _served_entry(model, version, sha256)
        approval = wanted.get("approval") if isinstance(wanted.get("approval"), dict) else None
        approved_for_this = bool(
            approval
            and _filled(approval.get("ticket"))
            and _filled(approval.get("approvedBy"))
            and wanted.get("version") == version
            and wanted.get("sha256") == sha256
        )
        canary = predictor.get("canaryTrafficPercent")
        own = (r["urn"], r.get("parent"))
        own_blocks = sorted({i for urn in own for i in blocking.get(urn, [])})
        out.append(
            {
                "name": name,
                "namespace": meta.get("namespace"),
                "urn": r["urn"],
                "version": version,
                "artefact_sha256": sha256,
                "storage_uri": predictor.get("model", {}).get("storageUri"),
                "image": image,
                "image_digest": image.split("@", 1)[1] if "@" in image
                else annotations.get("medinfra.io/image-digest"),
                "stage": "canary" if canary is not None and canary < 100 else "prod",
                "canary_traffic_percent": canary,
                "environment": config.get("environment"),
                "approval": {
                    "ticket": approval.get("ticket"),
                    "approved_by": approval.get("approvedBy"),
                    "date": approval.get("date"),
                    "version": wanted.get("version"),
                    "sha256": wanted.get("sha256"),
                    "expires": approval.get("expires"),
                    "approved_sha256": approval.get("sha256"),
                    "approved_image_digest": approval.get("imageDigest"),
                }
                if approval
                else None,
                # `medinfra promote`'s log and the versions a rollback may return to.
                "promotions": list(model.get("promotions") or []),
                "rollback_targets": [
                    {k: v.get(k) for k in ("version", "sha256", "imageDigest")}
                    for v in model.get("previousProd") or [] if isinstance(v, dict)],
                "clinically_eligible": approved_for_this,
                "deployable": decision == "allow" and not own_blocks,
                "blocking_findings": own_blocks,
            }
        )
    return {"models": sorted(out, key=lambda m: m["name"])}


def _git(directory: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def provenance(project_dir: Path | None, generated_at: dt.datetime) -> dict[str, Any]:
    """Source commit and dirty flag, tool versions and UTC timestamps. No host name, user or
    absolute path: the same commit and tools give the same record on any machine."""
    source: dict[str, Any] = {"commit": None, "dirty": None, "commit_time": None}
    if project_dir is not None:
        commit = _git(project_dir, "rev-parse", "HEAD")
        if commit:
            status = _git(project_dir, "status", "--porcelain", "--untracked-files=no")
            epoch = _git(project_dir, "show", "-s", "--format=%ct", "HEAD")
            source = {
                "commit": commit,
                "dirty": None if status is None else bool(status),
                "commit_time": _utc(dt.datetime.fromtimestamp(int(epoch), dt.UTC))
                if epoch and epoch.isdigit()
                else None,
            }
    import platform

    return {
        "source": source,
        "tools": {
            "python": platform.python_version(),
            **{name: version_of(name) for name in TOOLS},
            "checkov": checkov_version(),
        },
        "timestamps": {"generated_at": _utc(generated_at), "timezone": "UTC"},
    }


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "total": len(findings),
        "blocking": sum(1 for f in findings if f["enforcement"] == "mandatory" and not f["waiver"]),
        "advisory": sum(1 for f in findings if f["enforcement"] == "advisory" and not f["waiver"]),
        "waived": sum(1 for f in findings if f["waiver"]),
    }


def control_index(findings: list[dict[str, Any]]) -> dict[str, list[str]]:
    """{"HIPAA 164.312(b)": [finding ids]}: which controls the findings touch."""
    out: dict[str, list[str]] = {}
    for f in findings:
        for framework in FRAMEWORKS:
            for control in f["controls"].get(framework, []):
                out.setdefault(f"{framework.upper()} {control}", []).append(f["id"])
    return dict(sorted(out.items()))
