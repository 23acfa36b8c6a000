"""The gate as CrossGuard policies: what `pulumi preview --policy-pack policies` runs.

The engine hands a stack policy every resource of the stack; we rebuild the Inventory from it
(DESIGN.md), run `policies.gate.evaluate` once, and report each finding as one violation.
Importable: only `policies/__main__.py` constructs the PolicyPack (which serves forever).

Policies. One StackValidationPolicy per rule (name = rule id, with the rule's enforcement,
severity, controls and remediation as CrossGuard metadata), plus three that report what no rule
policy can: `medinfra-gate` (MANDATORY: blocking findings without a rule policy, e.g.
MED-GATE-* or another engine's), `medinfra-waived` (ADVISORY: findings a valid waiver covers)
and `medinfra-advisory` (ADVISORY: every other non-blocking finding, e.g. MED-WAIVER-*).
A violation is MANDATORY exactly when its finding blocks, so the CLI blocks exactly when the
gate does. `policy_name_for` decides which policy reports a finding; both ends use it.

Violations. CrossGuard diagnostics carry no structured payload, so each violation message ends
with one machine-readable line (JSON cannot contain a raw newline, so it stays one line):

    medinfra-finding/v1 {"finding": {<Finding.to_dict()>}, "of": <count>, "seq": <index>}

`seq`/`of` give the finding's position in the gate's result and the total, so a driver can
restore the order and notice a violation that went missing. Findings never hold secrets: the
Inventory they are computed from is redacted.

Secrets. pulumi-policy 1.21 unwraps secret values before a stack policy sees them, so the pack
installs `deserialize_keeping_secrets`, which keeps them wrapped in `policies.inventory.Secret`
(and records the secret config keys the engine sends with ConfigureStack).
`inventory_from_stack_args` refuses to run without it, rather than risk printing a secret.

References. The engine only says which resources each top-level property depends on; the
Inventory is narrowed with `resolve_references`. A property-dependency key that is a JSON
pointer ("/rules/0/kmsKeyId", never a property name) states an exact reference; the offline
driver sends these so that a round trip through the protocol keeps every reference exactly.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi_policy.policy as policy_module
from medinfra.policies.checkov_bridge.runner import PREWARM_THREAD, load_checkov
from medinfra.policies.findings import MANDATORY_SEVERITIES, Finding, gate_error
from medinfra.policies.gate import GateOptions, evaluate
from medinfra.policies.inventory import (
    SECRET_MARK,
    UNKNOWN,
    InventoryResource,
    Secret,
    build_inventory,
    decode_config_value,
    package_of,
    redact,
    resolve_references,
)
from medinfra.policies.rules import RULES_DIR, Rule, RuleError, load_rules
from pulumi.runtime import rpc
from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
    proxy,
)
from pulumi_policy import deserialize as policy_deserialize

PACK_NAME = "medinfra"
PACK_DESCRIPTION = (
    "MedInfra policy gate: HIPAA / GDPR / CIS controls for clinical AI platforms. Blocks any "
    "stack update with a mandatory finding that no valid waiver covers."
)
GATE_POLICY = "medinfra-gate"
WAIVED_POLICY = "medinfra-waived"
ADVISORY_POLICY = "medinfra-advisory"
FINDING_TAG = "medinfra-finding/v1 "
TIMINGS_ENV = "MEDINFRA_GATE_TIMINGS_FILE"
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
CATCH_ALL_POLICIES = tuple(_CATCH_ALLS)

_UNKNOWNS = frozenset(
    {
        proxy.UNKNOWN_BOOLEAN_VALUE,
        proxy.UNKNOWN_NUMBER_VALUE,
        proxy.UNKNOWN_STRING_VALUE,
        proxy.UNKNOWN_ARRAY_VALUE,
        proxy.UNKNOWN_ASSET_VALUE,
        proxy.UNKNOWN_ARCHIVE_VALUE,
        proxy.UNKNOWN_OBJECT_VALUE,
    }
)
_ORIGINAL_DESERIALIZE = policy_deserialize.deserialize_properties
_ORIGINAL_CONFIGURE_STACK = policy_module._PolicyAnalyzerServicer.ConfigureStack
_secret_config_keys: set[str] = set()


class AnalyzerSetupError(Exception):
    """The pack is not set up to keep secrets out of the Inventory."""


def _marked(value: Any) -> Any:
    """One wire value (as JSON) -> Python, with secrets wrapped and unknown sentinels kept."""
    if isinstance(value, list):
        return [_marked(v) for v in value]
    if not isinstance(value, dict):
        return value
    sig = value.get(rpc._special_sig_key)
    if sig is None:
        return {k: _marked(v) for k, v in value.items() if not k.startswith("__")}
    if sig == rpc._special_secret_sig:
        return Secret(_marked(value.get("value")))
    if sig == rpc._special_output_value_sig:
        inner = _marked(value["value"]) if "value" in value else rpc.UNKNOWN
        return Secret(inner) if value.get("secret") else inner
    if sig == rpc._special_resource_sig:
        return value.get("urn", "")
    # Assets and archives as the offline planner records them (medinfra/worker.py).
    if sig == rpc._special_asset_sig:
        return {k: value[k] for k in ("path", "text", "uri") if k in value}
    if sig == rpc._special_archive_sig:
        return {k: value[k] for k in ("path", "uri") if k in value} or {"assets": {}}
    return proxy.UNKNOWN_OBJECT_VALUE


def deserialize_keeping_secrets(props: dict[str, Any], proxy_secrets: bool = False) -> Any:
    """Drop-in for pulumi-policy's deserializer that keeps secrets visible as `Secret`."""
    if proxy_secrets:  # Remediate's own secret handling: leave it alone
        return _ORIGINAL_DESERIALIZE(props, proxy_secrets)
    return _marked(props)


def _configure_stack_keeping_secret_keys(self, request, context):
    _secret_config_keys.update(request.config_secret_keys)
    return _ORIGINAL_CONFIGURE_STACK(self, request, context)


def keep_secrets_marked() -> None:
    """Make pulumi-policy's analyzer keep secrets marked. Idempotent; call before PolicyPack."""
    policy_module.deserialize_properties = deserialize_keeping_secrets
    policy_module._PolicyAnalyzerServicer.ConfigureStack = _configure_stack_keeping_secret_keys


def project_config(project: str, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The project's namespace of PULUMI_CONFIG, decoded as the planner does, secrets redacted."""
    raw = json.loads(environ.get("PULUMI_CONFIG") or "{}")
    secret_keys = set(json.loads(environ.get("PULUMI_CONFIG_SECRET_KEYS") or "[]"))
    secret_keys |= _secret_config_keys
    config: dict[str, Any] = {}
    for key, text in sorted(raw.items()):
        namespace, _, name = key.partition(":")
        if namespace == project:
            config[name] = SECRET_MARK if key in secret_keys else decode_config_value(str(text))
    return config


def _raw(value: Any) -> Any:
    """The values behind pulumi-policy's proxies (which raise on unknowns), unknowns as UNKNOWN."""
    if isinstance(value, (proxy._DictProxy, proxy._ListProxy)):
        value = value["__target"]
    if isinstance(value, dict):
        return {k: _raw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_raw(v) for v in value]
    if isinstance(value, str) and value in _UNKNOWNS:
        return UNKNOWN
    return value


def _inventory_resource(resource, known_values: Mapping[str, str]) -> InventoryResource:
    props, secrets, unknowns = redact(_raw(resource.props))
    prop_deps = {k: [d.urn for d in v] for k, v in resource.property_dependencies.items()}
    exact = {k: v[0] for k, v in prop_deps.items() if k.startswith("/") and len(v) == 1}
    if exact:
        references = dict(sorted(exact.items()))
    else:
        references = resolve_references(props, unknowns, prop_deps, known_values)
    parent = resource.parent.urn if resource.parent is not None else resource.opts.parent
    provider = resource.provider
    return InventoryResource(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        provider=package_of(provider.resource_type) if provider is not None else None,
        parent=parent or None,
        dependencies=sorted({d.urn for d in resource.dependencies}),
        props=props,
        unknowns=unknowns,
        secrets=secrets,
        references=references,
    )


def inventory_from_stack_args(
    args: StackValidationArgs, project: str, stack: str, config: Mapping[str, Any]
) -> dict[str, Any]:
    """The Inventory of the stack a CrossGuard stack policy is shown (resources in its order)."""
    if policy_module.deserialize_properties is not deserialize_keeping_secrets:
        raise AnalyzerSetupError(
            "secret values are not marked (call keep_secrets_marked() before PolicyPack)"
        )
    # A property whose value is a resource's URN came from that resource, as in the planner.
    known_values = {r.urn: r.urn for r in args.resources}
    resources = [_inventory_resource(r, known_values) for r in args.resources]
    return build_inventory(project, stack, config, resources)


def _level(severity: str) -> str:
    return "mandatory" if severity in MANDATORY_SEVERITIES else "advisory"


def policy_name_for(finding: Finding, rule_levels: Mapping[str, str]) -> str:
    """Which policy reports `finding`, given each rule policy's enforcement level."""
    if finding.waiver is not None:
        return WAIVED_POLICY
    level = "mandatory" if finding.blocks else "advisory"
    if rule_levels.get(finding.id) == level:
        return finding.id
    return GATE_POLICY if level == "mandatory" else ADVISORY_POLICY


def encode_violation(finding: Finding, seq: int, total: int) -> str:
    """A violation message: readable lines, then the FINDING_TAG line that rebuilds `finding`."""
    lines = [finding.message]
    if finding.remediation:
        lines.append(f"Fix: {finding.remediation}")
    if finding.waiver is not None:
        w = finding.waiver
        lines.append(
            f"Waived until {w.get('expires')} (ticket {w.get('ticket')}, approved by "
            f"{w.get('approved_by')})"
        )
    envelope = {"seq": seq, "of": total, "finding": finding.to_dict()}
    lines.append(FINDING_TAG + json.dumps(envelope, separators=(",", ":"), sort_keys=True))
    return "\n".join(lines)


def decode_violation(message: str) -> tuple[int, int, Finding]:
    """(seq, of, finding) from a violation message; ValueError if it carries no finding."""
    last = message.rsplit("\n", 1)[-1]
    if not last.startswith(FINDING_TAG):
        raise ValueError("the message has no medinfra-finding line")
    envelope = json.loads(last[len(FINDING_TAG) :])
    data = envelope.get("finding") if isinstance(envelope, dict) else None
    names = {f.name for f in dataclasses.fields(Finding)}
    if not isinstance(data, dict) or set(data) != names:
        raise ValueError("the medinfra-finding line does not hold a finding")
    seq, total = envelope.get("seq"), envelope.get("of")
    if not (isinstance(seq, int) and isinstance(total, int) and 0 <= seq < total):
        raise ValueError("the medinfra-finding line has no valid seq/of")
    return seq, total, Finding(**data)


def _describe(exc: BaseException) -> str:
    # Only our own messages are quoted: another exception's text could hold a property value.
    if isinstance(exc, AnalyzerSetupError):
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return f"the analyzer could not build the Inventory: {type(exc).__name__}{where}"


class _GateRun:
    """Runs the gate once per distinct Inventory: every policy of one AnalyzeStack call is shown
    the same stack, and each reports its share of the same findings."""

    def __init__(self, options: GateOptions) -> None:
        self._options = options
        self._lock = threading.Lock()
        self._key: str | None = None
        self._findings: list[Finding] = []

    def findings(self, args: StackValidationArgs) -> list[Finding]:
        try:
            project = os.environ.get("PULUMI_PROJECT", "")
            stack = os.environ.get("PULUMI_STACK", "")
            inventory = inventory_from_stack_args(args, project, stack, project_config(project))
            key = json.dumps(inventory, sort_keys=True)
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
                result = evaluate(inventory, self._options)
                self._findings = result.findings
                self._key = key
                _report_timings(result.timings)
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


def prewarm_checkov() -> None:
    """Start importing Checkov in the background as the pack starts (it takes seconds), so the
    first AnalyzeStack call does not pay for all of it. Once per process."""
    threading.Thread(target=load_checkov, name=PREWARM_THREAD, daemon=True).start()


def _validate(name: str, run: _GateRun, rule_levels: Mapping[str, str]):
    def validate(args: StackValidationArgs, report_violation) -> None:
        findings = run.findings(args)
        for seq, finding in enumerate(findings):
            if policy_name_for(finding, rule_levels) == name:
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


def build_policies(rules_dir: Path = RULES_DIR) -> list[StackValidationPolicy]:
    """Every policy of the pack (see the module docstring); installs `keep_secrets_marked`.

    A rule catalogue that does not load leaves only the catch-all policies; the gate then
    reports MED-GATE-RULES through `medinfra-gate`, so the pack blocks instead of passing.
    """
    keep_secrets_marked()
    prewarm_checkov()
    try:
        rules = load_rules(rules_dir)
    except (RuleError, OSError):
        rules = []
    rule_levels = {rule.id: _level(rule.severity) for rule in rules}
    # medinfra preview passes its --gate-timeout; the Pulumi CLI leaves the default.
    timeout, deadline = _gate_bounds(os.environ)
    run = _GateRun(GateOptions(rules_dir=rules_dir, timeout_s=timeout, deadline_epoch=deadline))
    policies = [
        StackValidationPolicy(
            name=rule.id,
            description=rule.description,
            validate=_validate(rule.id, run, rule_levels),
            enforcement_level=_enforcement(rule_levels[rule.id]),
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
    return policies
