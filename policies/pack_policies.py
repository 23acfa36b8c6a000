"""How the gate's rules and catch-alls become CrossGuard policies, for policies/pack.py: the
catch-all policies' metadata (`_CATCH_ALLS`), each policy's enforcement level (`_level` by
default, `_configured_levels` as the CLI configured it), a rule's compliance framework, and
the validate function through which a policy reports its share of the gate's findings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from medinfra.policies.findings import MANDATORY_SEVERITIES
from medinfra.policies.pulumi_policy_patches import configured_pack
from medinfra.policies.rules import Rule
from medinfra.policies.violations import (
    ADVISORY_POLICY,
    GATE_POLICY,
    WAIVED_POLICY,
    encode_violation,
    policy_name_for,
)
from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    Severity,
    StackValidationArgs,
)

if TYPE_CHECKING:
    from medinfra.policies.pack import _GateRun

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
