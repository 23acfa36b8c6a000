"""The gate as CrossGuard policies: what `pulumi preview --policy-pack policies` runs.

The engine hands a stack policy every resource of the stack; we rebuild the Inventory from it
(`policies.stack_inventory`), run `policies.gate.evaluate` once, and report each finding as one
violation (`policies.violations`: which policy reports it, and the message that carries it).
Importable: only `policies/__main__.py` constructs the PolicyPack (which serves forever).

Policies. One StackValidationPolicy per rule (name = rule id, with the rule's enforcement,
severity, controls and remediation as CrossGuard metadata), the three catch-all policies of
`policies.violations`, and `medinfra-settings`, whose config schema holds the organisation's
settings (`policies.pack_config.SETTINGS_PROPERTIES`; given with `pulumi preview
--policy-pack-config FILE`) and which reports a config the pack cannot use. The config the CLI
sends with Configure reaches the gate (`configured_pack`), which judges with it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from medinfra.policies.findings import MANDATORY_SEVERITIES, Finding, gate_error
from medinfra.policies.gate import GateOptions, evaluate
from medinfra.policies.pack_config import SETTINGS_PROPERTIES
from medinfra.policies.pulumi_policy_patches import (
    configured_pack,
    keep_secrets_marked,
    mark_stack_requests,
    stack_request_token,
)
from medinfra.policies.rules import RULES_DIR, Rule, RuleError, load_rules
from medinfra.policies.stack_inventory import (
    AnalyzerSetupError,
    gate_config,
    inventory_from_stack_args,
)
from medinfra.policies.violations import (
    ADVISORY_POLICY,
    GATE_POLICY,
    INPUTS_POLICY,
    SETTINGS_POLICY,
    WAIVED_POLICY,
    encode_violation,
    policy_name_for,
)
from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from medinfra.pack_process import DEADLINE_FILE_ENV, TIMINGS_ENV  # noqa: F401 - pack API

PACK_DESCRIPTION = (
    "MedInfra policy gate: HIPAA / GDPR / CIS controls for clinical AI platforms. Blocks any "
    "stack update with a mandatory finding that no valid waiver covers."
)
_CATCH_ALLS = {
    GATE_POLICY: (
        EnforcementLevel.MANDATORY,
        Severity.CRITICAL,
        "A blocking finding no rule policy reports: the gate could not run, or another engine.",
    ),
    WAIVED_POLICY: (
        EnforcementLevel.ADVISORY,
        None,
        "A finding that a valid waiver (policies/waivers.yaml) covers: reported, not blocking.",
    ),
    ADVISORY_POLICY: (
        EnforcementLevel.ADVISORY,
        None,
        "A non-blocking finding no rule policy reports, such as a waiver that did not apply.",
    ),
}


def _level(severity: str) -> str:
    return "mandatory" if severity in MANDATORY_SEVERITIES else "advisory"


def _describe(exc: BaseException) -> str:
    # Only our own messages are quoted: another exception's text could hold a property value.
    if isinstance(exc, AnalyzerSetupError):
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return f"the analyzer could not build the Inventory: {type(exc).__name__}{where}"


class _GateRun:
    """Runs the gate once per distinct Inventory: every policy of one AnalyzeStack call is shown
    the same stack, and each reports its share of the same findings. Remembers the checked
    inputs Analyze showed for each resource (the `medinfra-inputs` resource policy)."""

    def __init__(self, options: GateOptions) -> None:
        self._options = options
        self._lock = threading.Lock()
        self._key: str | None = None
        self._findings: list[Finding] = []
        self._inputs: dict[str, Any] = {}
        self._token: object | None = None  # the AnalyzeStack call _findings were made for

    def record_inputs(self, args: ResourceValidationArgs, report_violation) -> None:
        """Analyze of one resource: keep its inputs (pulumi-policy's proxy; nothing is read)."""
        with self._lock:
            self._inputs[args.urn] = args.props

    def findings(self, args: StackValidationArgs) -> list[Finding]:
        token = stack_request_token()
        with self._lock:
            if token is not None and token is self._token:
                return self._findings  # another policy of the same AnalyzeStack call
        try:
            project = os.environ.get("PULUMI_PROJECT", "")
            stack = os.environ.get("PULUMI_STACK", "")
            with self._lock:
                inputs = dict(self._inputs)
            inventory = inventory_from_stack_args(
                args, project, stack, gate_config(), inputs
            )
            configured = configured_pack()
            key = json.dumps([inventory, configured], sort_keys=True)
        except Exception as exc:  # noqa: BLE001 - fail closed with a finding, never a crash
            return [
                gate_error(
                    "ANALYZER",
                    _describe(exc),
                    "Report this with the stack's resource types; the gate blocks.",
                )
            ]
        with self._lock:
            if key != self._key:
                options = dataclasses.replace(
                    _late_deadline(self._options), pack_config=configured
                )
                result = evaluate(inventory, options)
                # Under the real CLI, $MEDINFRA_EVIDENCE_DIR asks for an evidence bundle.
                from medinfra.evidence.pack import write_pack_evidence

                write_pack_evidence(inventory, result, options)
                self._findings = result.findings
                self._key = key
                _report_timings(result.timings)
            self._token = token
            return self._findings


def _report_timings(timings: dict[str, float]) -> None:
    """Hand the gate's timings to the offline driver (CrossGuard has no field for them): it
    names a file in MEDINFRA_GATE_TIMINGS_FILE. The Pulumi CLI never sets it."""
    path = os.environ.get(TIMINGS_ENV)
    if path:
        try:
            Path(path).write_text(json.dumps(timings), encoding="utf-8")
        except OSError:
            pass  # timings are informative; the decision does not depend on them


def _late_deadline(options: GateOptions) -> GateOptions:
    """`options` with the deadline medinfra preview wrote to $MEDINFRA_GATE_DEADLINE_FILE once
    planning ended, if it did (else unchanged: $MEDINFRA_GATE_DEADLINE or none)."""
    import dataclasses

    path = os.environ.get(DEADLINE_FILE_ENV)
    if not path:
        return options
    try:
        deadline = float(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return options
    if deadline != deadline or deadline in (float("inf"), float("-inf")):  # NaN or infinite
        return options
    return dataclasses.replace(options, deadline_epoch=deadline)


def prewarm_checkov() -> None:
    """Reach the Checkov worker as the pack starts: the one `medinfra preview` shares
    ($MEDINFRA_CHECKOV_SOCKET), else a child worker started now, importing Checkov while the
    engine sends the stack (docs/checkov-worker.md). Never blocks; a failure is reported by
    the scan (MED-GATE finding)."""
    from medinfra.policies.checkov_bridge.workers import prewarm

    prewarm()


def _configured_levels(defaults: Mapping[str, str]) -> Callable[[], dict[str, str]]:
    """Each rule policy's level as the CLI configured it (Configure), else its default: the
    level pulumi-policy reports the policy's violations at."""

    def levels() -> dict[str, str]:
        configured = configured_pack() or {}
        return {
            name: (configured.get(name) or {}).get("enforcementLevel") or level
            for name, level in defaults.items()
        }

    return levels


def _validate(name: str, run: _GateRun, rule_levels: Callable[[], Mapping[str, str]]):
    def validate(args: StackValidationArgs, report_violation) -> None:
        findings = run.findings(args)
        levels = rule_levels()
        for seq, finding in enumerate(findings):
            if policy_name_for(finding, levels) == name:
                report_violation(encode_violation(finding, seq, len(findings)), finding.urn or None)

    return validate


def _framework(rule: Rule) -> PolicyComplianceFramework | None:
    for name in ("hipaa", "gdpr", "cis"):
        if rule.controls.get(name):
            return PolicyComplianceFramework(name=name, reference=", ".join(rule.controls[name]))
    return None


def _enforcement(level: str) -> EnforcementLevel:
    return EnforcementLevel.MANDATORY if level == "mandatory" else EnforcementLevel.ADVISORY


def _gate_bounds(environ: Mapping[str, str]) -> tuple[float, float | None]:
    """medinfra preview's --gate-timeout and its absolute deadline; a value that is not a
    finite positive number leaves the default (120 s, as the CLI's) or no deadline."""
    import math

    def number(name: str) -> float | None:
        try:
            value = float(environ.get(name) or "nan")
        except ValueError:
            return None
        return value if math.isfinite(value) and value > 0 else None

    return number("MEDINFRA_GATE_TIMEOUT") or 120.0, number("MEDINFRA_GATE_DEADLINE")


def build_policies(
    rules_dir: Path = RULES_DIR,
) -> list[StackValidationPolicy | ResourceValidationPolicy]:
    """Every policy of the pack (see the module docstring); installs `keep_secrets_marked`.

    A rule catalogue that does not load leaves only the catch-all policies; the gate then
    reports MED-GATE-RULES through `medinfra-gate`, so the pack blocks instead of passing.
    """
    keep_secrets_marked()
    mark_stack_requests()
    prewarm_checkov()
    try:
        rules = load_rules(rules_dir)
    except (RuleError, OSError):
        rules = []
    rule_levels = _configured_levels({rule.id: _level(rule.severity) for rule in rules})
    # medinfra preview passes its --gate-timeout; the Pulumi CLI leaves the default.
    timeout, deadline = _gate_bounds(os.environ)
    run = _GateRun(GateOptions(rules_dir=rules_dir, timeout_s=timeout, deadline_epoch=deadline))
    policies = [
        StackValidationPolicy(
            name=rule.id,
            description=rule.description,
            validate=_validate(rule.id, run, rule_levels),
            enforcement_level=_enforcement(_level(rule.severity)),
            display_name=rule.title,
            severity=Severity(rule.severity),
            framework=_framework(rule),
            tags=[f"{fw}:{c}" for fw, controls in rule.controls.items() for c in controls],
            remediation_steps=rule.remediation,
        )
        for rule in rules
    ]
    for name, (level, severity, description) in _CATCH_ALLS.items():
        policies.append(
            StackValidationPolicy(
                name=name,
                description=description,
                validate=_validate(name, run, rule_levels),
                enforcement_level=level,
                severity=severity,
            )
        )
    policies.append(
        StackValidationPolicy(
            name=SETTINGS_POLICY,
            description="The organisation's settings (allowed regions, required tags, trusted "
            "registries, keys and identities, log retention): reports a policy-pack config the "
            "pack cannot use.",
            validate=_validate(SETTINGS_POLICY, run, rule_levels),
            enforcement_level=EnforcementLevel.MANDATORY,
            severity=Severity.CRITICAL,
            config_schema=PolicyConfigSchema(properties=SETTINGS_PROPERTIES),
        )
    )
    # Analyze shows each resource's checked inputs before AnalyzeStack shows the stack's
    # outputs; a resource whose provider is not configured yet has none, and is judged on these.
    policies.append(
        ResourceValidationPolicy(
            name=INPUTS_POLICY,
            description="Records each resource's checked inputs for the gate; reports nothing.",
            validate=run.record_inputs,
            enforcement_level=EnforcementLevel.ADVISORY,
        )
    )
    return policies
