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
sends with Configure reaches the gate (`configured_pack`), which judges with it. Each policy's
metadata and validate function are built by `policies.pack_policies`; what `medinfra preview`
hands the pack outside CrossGuard (deadline, timings) is read and written by
`policies.pack_driver`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import traceback
from pathlib import Path
from typing import Any

from medinfra.policies.findings import Finding, gate_error
from medinfra.policies.gate import GateOptions, evaluate
from medinfra.policies.pack_config import SETTINGS_PROPERTIES
from medinfra.policies.pulumi_policy_patches import (
    configured_pack,
    keep_secrets_marked,
    mark_stack_requests,
    stack_request_token,
)
from medinfra.policies.rules import RULES_DIR, RuleError, load_rules
from medinfra.policies.stack_inventory import (
    AnalyzerSetupError,
    gate_config,
    inventory_from_stack_args,
)
from medinfra.policies.violations import INPUTS_POLICY, SETTINGS_POLICY
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from medinfra.pack_process import DEADLINE_FILE_ENV, TIMINGS_ENV  # noqa: F401 - pack API

# isort: split
# Imported last, so the pack loads its modules in the order it did before these were split out
# of this file: everything they import is loaded by now.
from medinfra.policies.pack_driver import _gate_bounds, _late_deadline, _report_timings
from medinfra.policies.pack_policies import (
    _CATCH_ALLS,
    _configured_levels,
    _enforcement,
    _framework,
    _level,
    _validate,
)

PACK_DESCRIPTION = (
    "MedInfra policy gate: HIPAA / GDPR / CIS controls for clinical AI platforms. Blocks any "
    "stack update with a mandatory finding that no valid waiver covers."
)
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


def prewarm_checkov() -> None:
    """Reach the Checkov worker as the pack starts: the one `medinfra preview` shares
    ($MEDINFRA_CHECKOV_SOCKET), else a child worker started now, importing Checkov while the
    engine sends the stack (docs/checkov-worker.md). Never blocks; a failure is reported by
    the scan (MED-GATE finding)."""
    from medinfra.policies.checkov_bridge.workers import prewarm

    prewarm()


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
