"""The gate's Checkov part: which checks a stack may select, the scan (bounded in time), and
Checkov's results as findings with their control mapping."""

from __future__ import annotations

import json
import threading
import time
from fnmatch import fnmatchcase
from typing import Any

from medinfra.components.config.constants import DEFAULT_CLASSIFICATION, PHI
from medinfra.policies.checkov_bridge.controls import (
    CONTROLS,
    MANDATORY,
    POLICY_INDEX,
    default_enforcement,
)
from medinfra.policies.checkov_bridge.exemptions import exempt
from medinfra.policies.checkov_bridge.runner import CheckovTimeout, Scan, Selection
from medinfra.policies.findings import Finding

__all__ = ["checkov_selection_problems"]


def _phi(config: dict) -> bool:
    return config.get("dataClassification", DEFAULT_CLASSIFICATION) == PHI


def checkov_selection_problems(config: Any) -> list[str]:
    """Why the stack's `policy.checkov` selection is refused: on a PHI stack no selector
    (`checks`, `skipChecks`, a framework choice) may drop a check of our control families.
    Each problem names the key (exit 2 from the CLI, a blocking finding under the real CLI)."""
    if not isinstance(config, dict):
        return []
    policy = config.get("policy") if isinstance(config.get("policy"), dict) else {}
    wanted = policy.get("checkov")
    if wanted is None:
        return []
    key = "medinfra:policy.checkov"
    if not isinstance(wanted, dict):
        return [f"{key}: expected a mapping with checks / skipChecks"]
    problems = []
    for name in sorted(set(wanted) - {"checks", "skipChecks"}, key=str):
        problems.append(
            f"{key}.{name}: not a selector MedInfra supports (allowed: checks, skipChecks)"
        )
    for name in ("checks", "skipChecks"):
        value = wanted.get(name)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(c, str) for c in value)
        ):
            problems.append(f"{key}.{name}: expected a list of Checkov check ids")
    if problems or not _phi(config):
        return problems
    skipped = sorted(c for c in wanted.get("skipChecks") or [] if c in MANDATORY)
    if skipped:
        problems.append(
            f"{key}.skipChecks: {', '.join(skipped[:5])} guard PHI controls and cannot be "
            "skipped on a PHI stack (waive one finding in policies/waivers.yaml instead)"
        )
    checks = wanted.get("checks") or []
    if checks:
        dropped = sorted(i for i in MANDATORY if not any(fnmatchcase(i, c) for c in checks))
        if dropped:
            problems.append(
                f"{key}.checks: {json.dumps(checks)[:80]} would drop {len(dropped)} PHI "
                f"control checks (e.g. {', '.join(dropped[:3])}); on a PHI stack leave checks "
                "empty (every check runs)"
            )
    return problems


def _checkov_selection(inventory: dict) -> Selection:
    """Config `policy.checkov` (checks / skipChecks), after checkov_selection_problems."""
    config = inventory.get("config") if isinstance(inventory.get("config"), dict) else {}
    policy = config.get("policy") if isinstance(config.get("policy"), dict) else {}
    wanted = policy.get("checkov") if isinstance(policy.get("checkov"), dict) else {}
    checks = [c for c in wanted.get("checks") or [] if isinstance(c, str)]
    skips = [c for c in wanted.get("skipChecks") or [] if isinstance(c, str)]
    return Selection(tuple(checks), tuple(skips))


def _checkov_findings(scan: Scan, inventory: dict, levels: Any) -> list[Finding]:
    """Checkov's failed checks as findings, at the level `levels` (policies.enforcement)
    gives each check id; a disabled check reports nothing."""
    types = {
        r.get("urn"): r.get("type", "")
        for r in inventory.get("resources", [])
        if isinstance(r, dict)
    }
    config = inventory.get("config") if isinstance(inventory.get("config"), dict) else {}
    phi = _phi(config)
    not_applied = exempt(inventory.get("resources") or [])
    findings = []
    seen = set()
    for result in scan.failed:
        key = (result.urn, result.check_id, result.resource)
        if key in seen:
            continue
        seen.add(key)
        mapped = CONTROLS.get(result.check_id)
        if mapped and mapped.not_on and result.urn in not_applied[mapped.not_on]:
            continue  # reviewed as not applying there (mandatory_set.yaml `not_on`)
        level = levels.level(result.check_id, default_enforcement(result.check_id, phi))
        if level == "disabled":  # reviewed off, or turned off by the policy-pack config
            continue
        guideline = result.guideline or POLICY_INDEX.get(result.framework, "")
        subject = result.resource if result.resource else "the resource"
        findings.append(
            Finding(
                id=result.check_id,
                source="checkov",
                title=result.check_name,
                severity=mapped.severity if mapped else "low",
                enforcement=level,
                urn=result.urn,
                resource_type=types.get(result.urn, ""),
                message=f"Checkov {result.check_id} failed on {subject}: {result.check_name}",
                remediation=f"{result.check_name}. Checkov guideline: {guideline}",
                controls=mapped.controls() if mapped else {"hipaa": [], "gdpr": [], "cis": []},
            )
        )
    return findings


class _RealCheckov:
    """Checkov itself, in its own environment: this process's Checkov worker
    (policies/checkov_bridge/workers.py; docs/checkov-worker.md)."""

    def scan(self, resources: list, selection: Selection, timeout_s: float) -> Scan:
        from medinfra.policies.checkov_bridge.workers import default_client

        return default_client().scan(resources, selection, timeout_s)


class PendingScan:
    """`scanner.scan(...)` started on a thread (the gate starts it before the Rego engine, so
    Checkov's worker scans while Rego evaluates); `result()` waits for it and abandons it when it
    overruns `timeout_s` from its start (whatever the scanner does about its own deadline): a
    late scan is no scan."""

    def __init__(self, scanner: Any, resources: list, selection: Selection, timeout_s: float):
        self.timeout_s = timeout_s
        # The real runner raises its own CheckovTimeout first.
        self._deadline = time.monotonic() + timeout_s + 0.5
        self._outcome: dict[str, Any] = {}
        self._thread = threading.Thread(
            target=self._work, args=(scanner, resources, selection, timeout_s),
            name="medinfra-checkov-bound", daemon=True,
        )
        self._thread.start()

    def _work(self, scanner: Any, resources: list, selection: Selection, timeout_s: float) -> None:
        try:
            self._outcome["scan"] = scanner.scan(resources, selection, timeout_s)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            self._outcome["error"] = exc

    def result(self) -> Any:
        self._thread.join(max(0.0, self._deadline - time.monotonic()))
        if self._thread.is_alive():
            raise CheckovTimeout(f"Checkov did not finish within {self.timeout_s:.1f}s (timeout)")
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome.get("scan")


def _bounded_scan(scanner: Any, resources: list, selection: Selection, timeout_s: float) -> Any:
    """`scanner.scan(...)` now, abandoned when it overruns `timeout_s` (PendingScan)."""
    return PendingScan(scanner, resources, selection, timeout_s).result()
