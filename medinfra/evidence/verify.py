"""Re-check an evidence bundle: every digest, the signature, the rules, and the decision.

1. manifest.json is intact (its own `files_sha256`), lists exactly the bundle's files, and the
   directory holds nothing else; each file's sha256 is the one listed.
2. With a public key, manifest.sig is a valid Ed25519 signature over manifest.json.
3. The stored policy bundle digest equals the current rules' (else: which files differ).
4. The gate, run again on the stored Inventory as of the stored gate date, with the stored
   policy-pack config (pack-config.json, whose digest policy-bundle.json records) if the run
   had one, gives the stored decision and findings.

Any failure names the file it concerns. Without a key, a signature is reported but not trusted:
anyone who can rewrite the files can rewrite an unsigned manifest too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medinfra.evidence import parts
from medinfra.evidence.bundle import (
    BUNDLE_FILES,
    FORMAT,
    MANIFEST,
    OPTIONAL_FILES,
    PACK_CONFIG,
    SIGNATURE,
)
from medinfra.evidence.files import EvidenceError, digest
from medinfra.evidence.signing import check, fingerprint
from medinfra.policies.rules import RULES_DIR
from medinfra.policies.waivers import WAIVERS_FILE


@dataclass
class Verdict:
    """The outcome for one bundle: problems (file, what is wrong) and notes."""

    directory: Path
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def bundles_in(directory: Path) -> list[Path]:
    """`directory` itself if it is a bundle, else its immediate sub-directories that are."""
    if not directory.is_dir():
        raise EvidenceError(f"{directory}: no such directory")
    if (directory / MANIFEST).exists():
        return [directory]
    found = sorted(p for p in directory.iterdir() if (p / MANIFEST).is_file())
    if not found:
        raise EvidenceError(f"{directory}: not an evidence bundle (no {MANIFEST})")
    return found


def _manifest(directory: Path, verdict: Verdict) -> dict[str, Any] | None:
    try:
        manifest = json.loads((directory / MANIFEST).read_bytes())
    except (OSError, ValueError) as exc:
        verdict.problems.append((MANIFEST, f"cannot be read as JSON ({exc})"))
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        verdict.problems.append((MANIFEST, f"is not a {FORMAT} manifest"))
        return None
    files = manifest.get("files")
    if not isinstance(files, dict) or manifest.get("files_sha256") != digest(files):
        verdict.problems.append((MANIFEST, "was modified (its digest of the file list differs)"))
        return None
    return manifest


def check_files(directory: Path, public_key=None) -> Verdict:
    """Steps 1-2: digests and signature (cheap; no gate run)."""
    verdict = Verdict(directory)
    manifest = _manifest(directory, verdict)
    if manifest is None:
        return verdict
    listed = manifest["files"]
    for name in BUNDLE_FILES:
        if name not in listed:
            verdict.problems.append((name, "is not listed in manifest.json"))
    for name in sorted(set(listed) - set(BUNDLE_FILES) - set(OPTIONAL_FILES)):
        verdict.problems.append((name, "is listed in manifest.json but is not a bundle file"))
    for path in sorted(directory.iterdir()):
        if path.name not in {*listed, MANIFEST, SIGNATURE}:
            verdict.problems.append((path.name, "is not listed in manifest.json"))
    for name, expected in sorted(listed.items()):
        path = directory / name
        if not path.is_file():
            verdict.problems.append((name, "is missing"))
        elif hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            verdict.problems.append((name, "was modified (sha256 differs from manifest.json)"))
    signature = manifest.get("signature")
    sig_path = directory / SIGNATURE
    if public_key is not None:
        if not signature or not sig_path.is_file():
            verdict.problems.append((SIGNATURE, "is missing: the bundle is not signed"))
        elif signature.get("key_sha256") != fingerprint(public_key):
            verdict.problems.append((SIGNATURE, "was made with another key"))
        elif not check(public_key, (directory / MANIFEST).read_bytes(), sig_path.read_bytes()):
            verdict.problems.append((SIGNATURE, "does not verify: manifest.json or the signature "
                                                "was modified"))
        else:
            verdict.notes.append(f"signature verified (key sha256 {signature['key_sha256']})")
    elif signature:
        verdict.notes.append("signed; signature not checked (pass --public-key)")
    return verdict


def _load(directory: Path, name: str) -> Any:
    return json.loads((directory / name).read_text(encoding="utf-8"))


def _sorted_findings(findings: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(f, sort_keys=True) for f in findings)


def _pack_config(directory: Path, listed: Any, stored: dict[str, Any]) -> Any:
    """The stored policy-pack config (None if the run had none); ValueError naming what does
    not fit: the file and policy-bundle.json's record of its digest must agree."""
    recorded = stored.get("pack_config")
    if PACK_CONFIG not in listed:
        if recorded:
            raise ValueError("policy-bundle.json records a policy-pack config that the bundle "
                             "does not hold")
        return None
    document = _load(directory, PACK_CONFIG)
    configured = document.get("configured") if isinstance(document, dict) else None
    if not isinstance(configured, dict) or not all(
            isinstance(v, dict) for v in configured.values()):
        raise ValueError("it holds no policy-pack config object")
    found = digest(configured)
    if document.get("sha256") != found:
        raise ValueError("its config does not match its own sha256")
    if not isinstance(recorded, dict) or recorded.get("sha256") != found:
        raise ValueError("its sha256 is not the one policy-bundle.json records")
    return configured


def verify(
    directory: Path,
    public_key=None,
    rules_dir: Path = RULES_DIR,
    waivers_file: Path = WAIVERS_FILE,
) -> Verdict:
    """All four steps for one bundle directory."""
    verdict = check_files(directory, public_key)
    if not verdict.ok:
        return verdict
    try:
        stored, decision, findings, inventory = (
            _load(directory, "policy-bundle.json"),
            _load(directory, "decision.json"),
            _load(directory, "findings.json")["findings"],
            _load(directory, "inventory.json"),
        )
        today = dt.date.fromisoformat(decision["gate_date"])
        if not isinstance(stored, dict) or not isinstance(inventory, dict):
            raise TypeError("policy-bundle.json and inventory.json must be objects")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # Digests matched, so the manifest was rewritten to fit: forged, not damaged.
        verdict.problems.append((MANIFEST, f"lists files that are not valid evidence ({exc})"))
        return verdict
    try:
        pack_config = _pack_config(directory, _load(directory, MANIFEST)["files"], stored)
    except (OSError, ValueError) as exc:
        verdict.problems.append((PACK_CONFIG, f"does not fit the bundle: {exc}"))
        return verdict
    current = parts.policy_bundle(rules_dir, waivers_file, None)
    if stored.get("sha256") != current["sha256"]:
        old, new = stored.get("files") or {}, current["files"]
        changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        verdict.problems.append(
            (
                "policy-bundle.json",
                "its rules differ from the current rules: " + ", ".join(changed[:5])
                + (f" and {len(changed) - 5} more" if len(changed) > 5 else ""),
            )
        )
        return verdict
    from medinfra.policies.gate import GateOptions, evaluate

    again = evaluate(inventory, GateOptions(
        rules_dir=rules_dir, waivers_file=waivers_file, today=today, pack_config=pack_config,
    ))
    judged = "inventory.json" + (f" with {PACK_CONFIG}" if pack_config else "")
    if again.decision != decision["decision"] or again.exit_code != decision["exit_code"]:
        verdict.problems.append(
            (
                "decision.json",
                f"says {decision['decision']} (exit {decision['exit_code']}); the gate on "
                f"{judged} says {again.decision} (exit {again.exit_code})",
            )
        )
    if _sorted_findings([f.to_dict() for f in again.findings]) != _sorted_findings(findings):
        verdict.problems.append(
            ("findings.json", f"differs from the findings of the gate run again on {judged}")
        )
    if verdict.ok:
        verdict.notes.append(
            f"gate re-run on {judged}: {again.decision}, {len(again.findings)} findings "
            f"as of {today.isoformat()}"
        )
    return verdict
