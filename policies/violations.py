"""How the pack reports findings as CrossGuard violations, and how a driver reads them back.

This is the contract between the pack (policies/pack.py) and the offline driver
(medinfra/analyzer_client.py); both import it, so the two ends cannot disagree.

Policies. One policy per rule (name = rule id) plus three that report what no rule policy can:
`medinfra-gate` (MANDATORY: blocking findings without a rule policy, e.g. MED-GATE-* or another
engine's), `medinfra-waived` (ADVISORY: findings a valid waiver covers) and `medinfra-advisory`
(ADVISORY: every other non-blocking finding, e.g. MED-WAIVER-*); and `medinfra-settings`
(MANDATORY: a policy-pack config the pack cannot use, MED-POLICY-002), whose config schema holds
the organisation's settings. `rule_levels` are the levels the pack was configured with
(Configure), so a rule the config disabled or lowered never reports a blocking finding itself.
A violation is MANDATORY exactly when its finding blocks, so the CLI blocks exactly when the
gate does.
`policy_name_for` decides which policy reports a finding; both ends use it.

Violations. CrossGuard diagnostics carry no structured payload, so each violation message ends
with one machine-readable line (JSON cannot contain a raw newline, so it stays one line):

    medinfra-finding/v1 {"finding": {<Finding.to_dict()>}, "of": <count>, "seq": <index>}

`seq`/`of` give the finding's position in the gate's result and the total, so a driver can
restore the order and notice a violation that went missing. Findings never hold secrets: the
Inventory they are computed from is redacted.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

from medinfra.policies.findings import Finding

PACK_NAME = "medinfra"
GATE_POLICY = "medinfra-gate"
WAIVED_POLICY = "medinfra-waived"
ADVISORY_POLICY = "medinfra-advisory"
# A resource policy that reports nothing: it records the inputs Analyze shows for each resource,
# which the gate judges where AnalyzeStack shows no outputs (policies/pack.py).
INPUTS_POLICY = "medinfra-inputs"
CATCH_ALL_POLICIES = (GATE_POLICY, WAIVED_POLICY, ADVISORY_POLICY, INPUTS_POLICY)
# Reports a policy-pack config the pack cannot use (MED-POLICY-002); the organisation's settings
# are its config properties (policies/pack_config.py).
SETTINGS_POLICY = "medinfra-settings"
SETTINGS_FINDINGS = frozenset({"MED-POLICY-002"})
#: Policies whose level no configuration changes: the pack pins them (an `all: disabled` must
#: not silence the gate's own failures), and the offline driver checks them.
FIXED_LEVELS = {
    GATE_POLICY: "mandatory",
    WAIVED_POLICY: "advisory",
    ADVISORY_POLICY: "advisory",
    INPUTS_POLICY: "advisory",
    SETTINGS_POLICY: "mandatory",
}
FINDING_TAG = "medinfra-finding/v1 "


def policy_name_for(finding: Finding, rule_levels: Mapping[str, str]) -> str:
    """Which policy reports `finding`, given each rule policy's enforcement level."""
    if finding.waiver is not None:
        return WAIVED_POLICY
    level = "mandatory" if finding.blocks else "advisory"
    if finding.id in SETTINGS_FINDINGS and level == "mandatory":
        return SETTINGS_POLICY
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
