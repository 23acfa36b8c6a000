"""Which level each finding gets: the rule's default, the organisation's policy-pack config on
top (as the CLI configures the pack), then the stack's `medinfra:policy.enforcement`.

* A level is `mandatory`, `advisory` or `disabled` (the rule's findings are not reported).
* `all` in the policy-pack config sets every rule policy, as the CLI does; Checkov checks are
  not policies of the pack, so a Checkov id must be named to change its level.
* On a PHI stack a mandatory rule (or a Checkov check of our control families) never becomes
  weaker, whoever asks: the request is ignored and reported (MED-POLICY-001).
* Elsewhere a lowered level applies and is reported (MED-POLICY-003, advisory), so that every
  report (JSON, SARIF, evidence) shows which rules the configuration weakened.
* A stack may raise any level, and lower a rule's default, but never below a level the
  organisation's config set explicitly (ignored and reported).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from medinfra.policies.checkov_bridge.controls import default_enforcement
from medinfra.policies.findings import MANDATORY_SEVERITIES, Finding
from medinfra.policies.pack_config import ALL, CHECKOV_ID
from medinfra.policies.settings import note

_RANK = {"disabled": 0, "advisory": 1, "mandatory": 2}


@dataclass
class Enforcement:
    """The levels the configuration sets (ids it does not name keep their default)."""

    overrides: dict[str, str] = field(default_factory=dict)
    notes: list[Finding] = field(default_factory=list)

    def level(self, finding_id: str, default: str) -> str:
        return self.overrides.get(finding_id, default)


def _phi(config: Mapping) -> bool:
    from medinfra.policies.gate_checkov import _phi as phi

    return phi(config)


def resolve(
    config: Any, rules: list, configured: Mapping[str, Mapping[str, Any]] | None
) -> Enforcement:
    """The levels for one stack (see the module docstring). `configured` is the reconciled
    policy-pack config ({policy: {"enforcementLevel", "properties"}}), None without one."""
    config = config if isinstance(config, dict) else {}
    phi = _phi(config)
    defaults = {
        r.id: "mandatory" if r.severity in MANDATORY_SEVERITIES else "advisory" for r in rules
    }
    configured = configured or {}
    org = {
        name: str(entry.get("enforcementLevel") or "")
        for name, entry in configured.items()
        if name != ALL and (name in defaults or CHECKOV_ID.match(name))
    }
    for name in org:
        defaults.setdefault(name, default_enforcement(name, phi))
    result = Enforcement()
    ignored: list[str] = []
    lowered: dict[str, list[str]] = {}
    for rule_id, level in sorted(org.items()):
        default = defaults[rule_id]
        if level not in _RANK or level == default:
            continue
        if _RANK[level] < _RANK[default]:
            if phi and default == "mandatory":
                ignored.append(f"{rule_id} ({level})")
                continue
            lowered.setdefault(level, []).append(rule_id)
        result.overrides[rule_id] = level
    if ignored:
        result.notes.append(note(
            f"policy-pack config: {', '.join(ignored)} ignored: on a PHI stack a mandatory rule "
            "stays mandatory",
            "Remove the entries, or waive single findings in policies/waivers.yaml.",
        ))
    for level, ids in sorted(lowered.items()):
        result.notes.append(note(
            f"policy-pack config: {', '.join(ids)} lowered from mandatory to {level}",
            "Intended only for stacks without PHI; review the policy-pack config.",
            rule="MED-POLICY-003",
        ))
    _stack_overrides(config, defaults, org, phi, result)
    return result


def _stack_overrides(
    config: Mapping, defaults: dict[str, str], org: Mapping[str, str], phi: bool,
    result: Enforcement,
) -> None:
    policy = config.get("policy") if isinstance(config.get("policy"), dict) else {}
    requested = policy.get("enforcement") if isinstance(policy.get("enforcement"), dict) else {}
    for rule_id, level in sorted(requested.items(), key=lambda kv: str(kv[0])):
        rule_id = str(rule_id)
        if rule_id not in defaults and CHECKOV_ID.match(rule_id):
            defaults[rule_id] = default_enforcement(rule_id, phi)
        current = result.overrides.get(rule_id, defaults.get(rule_id))
        if level not in ("mandatory", "advisory") or rule_id not in defaults:
            why = "(unknown rule or level; use mandatory|advisory)"
        elif phi and defaults[rule_id] == "mandatory" and level == "advisory":
            why = "ignored; on a PHI stack a mandatory rule stays mandatory"
        elif rule_id in result.overrides and _RANK[level] < _RANK[current]:
            why = f"ignored; the policy-pack config sets it {current} and a stack may only raise it"
        elif rule_id in org and _RANK[level] < _RANK.get(org[rule_id], 2):
            why = (f"ignored; the policy-pack config sets it {org[rule_id]} and a stack may "
                   "only raise it")
        else:
            result.overrides[rule_id] = level
            continue
        result.notes.append(note(
            f"enforcement override {rule_id}: {level!r} {why}",
            "Fix medinfra:policy.enforcement in the stack config.",
        ))
