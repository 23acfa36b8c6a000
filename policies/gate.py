"""The gate: Inventory -> findings -> decision. The same code answers `medinfra preview`
(directly or through the CrossGuard analyzer) and `pulumi preview --policy-pack policies`.

Block iff a mandatory finding is not covered by a valid waiver. Fail closed: a rule that does
not load, an engine that errors or times out, or an unreadable waiver file is a mandatory
MED-GATE-* finding, never a silent pass.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medinfra.policies.checkov_bridge.runner import CheckovError, CheckovTimeout, Scan
from medinfra.policies.enforcement import Enforcement, resolve
from medinfra.policies.engines import (
    EngineError,
    EngineTimeout,
    RegoEngine,
    check_answer,
    engine_from_environment,
)
from medinfra.policies.findings import MANDATORY_SEVERITIES, Finding, gate_error
from medinfra.policies.gate_checkov import (
    PendingScan,
    _checkov_findings,
    _checkov_selection,
    _RealCheckov,
    checkov_selection_problems,
)
from medinfra.policies.inventory_schema import inventory_problems
from medinfra.policies.pack_config import (
    invalid_pack_config,
    org_settings,
    pack_config_problems,
)
from medinfra.policies.rules import RULES_DIR, Rule, RuleError, load_rules
from medinfra.policies.settings import effective
from medinfra.policies.waivers import WAIVERS_FILE, WaiverFileError, apply_waivers, load_waivers


@dataclass
class GateOptions:
    """How to run the gate."""

    rules_dir: Path = RULES_DIR
    waivers_file: Path = WAIVERS_FILE
    engine: RegoEngine | None = None
    timeout_s: float = 30.0
    """Wall-clock bound of the whole evaluation: rules, every engine, every OPA round trip."""
    deadline_epoch: float | None = None
    """An absolute bound (time.time()) on top, e.g. the offline driver's, counted from its start."""
    today: dt.date | None = None
    """The day waivers and model approvals are judged by (default: today, UTC)."""
    checkov: Any = None
    """An object with Checkov's `scan(resources, selection, timeout_s)` (default: the real one)."""
    checkov_timeout_s: float | None = None
    """Deadline of the Checkov scan (default: what is left of `timeout_s`), never beyond it."""
    pack_config: Mapping[str, Mapping[str, Any]] | None = None
    """The policy-pack config as the CLI reconciles it for Configure ({policy:
    {"enforcementLevel", "properties"}}; policies.pack_config.reconcile), None without one."""


@dataclass
class GateResult:
    """The decision, every finding (waived ones included) and where the time went."""

    decision: str
    findings: list[Finding]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def gate_failed(self) -> bool:
        return any(f.id.startswith("MED-GATE-") for f in self.findings)

    @property
    def exit_code(self) -> int:
        """DESIGN.md: 0 allowed, 1 blocked by policy, 3 the gate could not run."""
        if self.gate_failed:
            return 3
        return 1 if self.decision == "block" else 0


def _findings(
    rules: list[Rule], raw: dict[str, list[Any]], inventory: dict, levels: Enforcement
) -> list[Finding]:
    types = {
        r.get("urn"): r.get("type", "")
        for r in inventory.get("resources", [])
        if isinstance(r, dict)
    }
    findings = []
    for rule in rules:
        default = "mandatory" if rule.severity in MANDATORY_SEVERITIES else "advisory"
        level = levels.level(rule.id, default)
        if level == "disabled":
            continue
        for entry in raw[rule.id]:  # check_answer: one well-formed deny set per rule
            provenance = entry.get("provenance")
            findings.append(
                Finding(
                    id=rule.id,
                    source="rego",
                    title=rule.title,
                    severity=rule.severity,
                    # An unknown that provenance does not vouch for blocks (fail closed).
                    enforcement="mandatory" if provenance is not None else level,
                    urn=entry["urn"],
                    resource_type=types.get(entry["urn"], ""),
                    message=str(entry.get("message") or rule.title),
                    remediation=rule.remediation,
                    controls={k: list(v) for k, v in rule.controls.items()},
                    provenance=provenance,
                )
            )
    findings.sort(key=lambda f: (f.urn, f.id, f.message))
    return findings


def _budget(options: GateOptions) -> float:
    """Seconds the whole gate may take from now."""
    budget = options.timeout_s
    if options.deadline_epoch is not None:
        budget = min(budget, options.deadline_epoch - time.time())
    return budget


#: From this many resources the Checkov scan starts before the Inventory's schema check (which
#: takes ~0.15 s per 1,000 resources); a smaller Inventory is scanned only once it is valid.
EARLY_SCAN_MIN_RESOURCES = 1000


def _start_scan(inventory: Any, options: GateOptions, remaining, strict: bool = False):
    """Checkov's scan of the Inventory's resources, started (a PendingScan). Before the
    Inventory is validated (`strict` False) only a big plain list of resources with a valid
    Checkov selection is sent, and any error here means "start it later" (None); once
    validated, errors propagate to the gate's handlers."""
    try:
        if not strict and (not isinstance(inventory, dict)
                           or not isinstance(inventory.get("resources"), list)
                           or len(inventory["resources"]) < EARLY_SCAN_MIN_RESOURCES
                           or checkov_selection_problems(inventory.get("config"))):
            return None
        selection = _checkov_selection(inventory)
        scanner = options.checkov or _RealCheckov()
        scan_s = remaining("Checkov")
        if options.checkov_timeout_s is not None:
            scan_s = min(scan_s, options.checkov_timeout_s)
        return PendingScan(scanner, inventory["resources"], selection, scan_s)
    except Exception:
        if strict:
            raise
        return None


def evaluate(inventory: dict[str, Any], options: GateOptions | None = None) -> GateResult:
    """Judge one Inventory. Never raises: every failure becomes a MED-GATE finding.

    `options.timeout_s` bounds the whole evaluation (rule loading, the Rego engine, every OPA
    round trip, Checkov); what overruns is abandoned and reported as MED-GATE-TIMEOUT.
    """
    options = options or GateOptions()
    today = options.today or dt.datetime.now(dt.UTC).date()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    end = started + _budget(options)

    def remaining(what: str) -> float:
        left = end - time.perf_counter()
        if left <= 0:
            raise EngineTimeout(
                f"the gate's {options.timeout_s:g}s bound ran out before {what} (timeout)"
            )
        return left

    bound = f"; the gate's bound is {options.timeout_s:g}s for everything it runs"

    def blocked(finding: Finding) -> GateResult:
        timings["gate_s"] = round(time.perf_counter() - started, 4)
        return GateResult("block", [finding], timings)

    try:
        rules = load_rules(options.rules_dir)
    except RuleError as exc:
        return blocked(
            gate_error("RULES", str(exc), "Fix the rule files listed (METADATA, package, tests).")
        )
    except OSError as exc:
        return blocked(
            gate_error(
                "RULES",
                f"cannot read rules: {exc}",
                "Check policies/rego/ is present and readable.",
            )
        )
    try:
        waiver_set = load_waivers(options.waivers_file)
    except WaiverFileError as exc:
        return blocked(gate_error("WAIVERS", str(exc), "Fix policies/waivers.yaml."))
    # Checkov scans in its own worker process: start it now, beside the schema check and the
    # Rego engine (docs/checkov-scale.md); whatever blocks first drops it unread.
    pending = _start_scan(inventory, options, remaining)
    problems = inventory_problems(inventory)
    if problems:
        return blocked(
            gate_error(
                "INPUT",
                "the Inventory does not match docs/inventory.schema.json: " + "; ".join(problems),
                "Produce the Inventory with medinfra preview (or fix the producer).",
            )
        )
    config_problems = pack_config_problems(options.pack_config, [r.id for r in rules])
    if config_problems:
        return blocked(invalid_pack_config(config_problems))
    selection_problems = checkov_selection_problems(inventory.get("config"))
    if selection_problems:
        return blocked(
            gate_error(
                "CONFIG",
                "; ".join(selection_problems),
                "Fix medinfra:policy.checkov in the stack config.",
            )
        )
    try:
        pending = pending or _start_scan(inventory, options, remaining, strict=True)
        engine = options.engine or engine_from_environment()
        levels = resolve(inventory.get("config"), rules, options.pack_config)
        org = org_settings(options.pack_config)
        settings, setting_notes = effective(inventory.get("config"), org)
        # The day rules judge expiry by (approvals, MED-SRV-006): given, so runs are repeatable.
        input_json = json.dumps(
            {**inventory, "settings": settings, "gate": {"date": today.isoformat()}}
        )
        eval_started = time.perf_counter()
        raw = engine.evaluate(rules, input_json, remaining("the Rego rules"))
        if time.perf_counter() > end:
            raise EngineTimeout(f"the Rego engine answered after the {options.timeout_s:g}s bound")
        raw = check_answer(f"the Rego engine ({getattr(engine, 'name', '?')})", rules, raw)
        timings["rego_s"] = round(time.perf_counter() - eval_started, 4)
        timings["rego_rules_evaluated"] = len(raw)
        findings = _findings(rules, raw, inventory, levels) + levels.notes + setting_notes
        scan = pending.result()
        if not isinstance(scan, Scan):
            raise CheckovError(f"Checkov answered {type(scan).__name__}, not a scan")
        if time.perf_counter() > end:
            raise CheckovTimeout(f"Checkov answered after the {options.timeout_s:g}s bound")
        timings.update(scan.timings)
        timings["checkov_resources"] = scan.scanned
        timings["checkov_unmapped_types"] = len(scan.unmapped_types)
        findings += _checkov_findings(scan, inventory, levels)
        findings.sort(key=lambda f: (f.urn, f.id, f.message))
    except EngineTimeout as exc:
        return blocked(
            gate_error("TIMEOUT", f"{exc}{bound}", "Raise --gate-timeout or report the slow rule.")
        )
    except CheckovTimeout as exc:
        return blocked(
            gate_error("TIMEOUT", f"{exc}{bound}", "Raise --gate-timeout or report the slow scan.")
        )
    except CheckovError as exc:
        return blocked(
            gate_error(
                "ENGINE",
                str(exc),
                "Check Checkov's environment (.venv-checkov, or $MEDINFRA_CHECKOV_PYTHON; "
                "docs/checkov-worker.md) and retry.",
            )
        )
    except EngineError as exc:
        return blocked(
            gate_error(
                "ENGINE", str(exc), "Check the Rego engine (OPA_URL, rule syntax) and retry."
            )
        )
    except Exception as exc:  # noqa: BLE001 - any engine failure blocks, with its reason
        return blocked(
            gate_error(
                "ENGINE",
                f"{type(exc).__name__}: {str(exc)[:300]}",
                "Check the Rego engine and retry; report the error.",
            )
        )
    stack = str(inventory.get("stack", ""))
    findings += apply_waivers(findings, waiver_set, {r.id: r for r in rules}, stack, today)
    decision = "block" if any(f.blocks for f in findings) else "allow"
    timings["gate_s"] = round(time.perf_counter() - started, 4)
    return GateResult(decision, findings, timings)
