"""`medinfra audit`: judge what is really deployed with the gate that judged the plan, and
report how it drifted from the plan.

Exit codes: 0 compliant and no drift; 1 a live policy violation (the gate blocks); 4 drift
without a violation; 2 bad input; 3 the audit could not complete (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from medinfra.audit.base import (
    EXIT_CLEAN,
    EXIT_DRIFT,
    EXIT_INCOMPLETE,
    EXIT_VIOLATION,
    AuditError,
    Carried,
    LiveRead,
    Reader,
)
from medinfra.audit.drift import Drift, compare

__all__ = ["AuditError", "AuditResult", "Reader", "audit", "gate_findings"]


@dataclass
class AuditResult:
    """The live Inventory, the gate's verdict on it and its drift from the plan."""

    stack: str
    project: str
    live: LiveRead
    decision: str
    findings: list[dict[str, Any]]
    drift: list[Drift]
    gate_failed: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.gate_failed:
            return EXIT_INCOMPLETE
        if self.decision == "block":
            return EXIT_VIOLATION
        return EXIT_DRIFT if self.drift else EXIT_CLEAN

    def report(self) -> dict[str, Any]:
        """The JSON document (`--format json`): the preview's keys plus drift and coverage."""
        return {
            "project": self.project,
            "stack": self.stack,
            "mode": "live",
            "decision": self.decision,
            "exit_code": self.exit_code,
            "resources": len(self.live.inventory["resources"]),
            "findings": self.findings,
            "drift": [d.to_dict() for d in self.drift],
            "not_verified": [c.to_dict() for c in self.live.carried],
            "not_audited": dict(sorted(self.live.unaudited_types.items())),
            "timings": self.timings,
        }

    def text(self) -> str:
        lines = [f"Live audit of {self.project}/{self.stack}: "
                 f"{len(self.live.inventory['resources'])} resources read"]
        shown = [f for f in self.findings if not f.get("waiver")]
        lines.append(f"\nFindings ({len(shown)}, {len(self.findings) - len(shown)} waived):")
        for f in shown:
            name = (f.get("urn") or "").rsplit("::", 1)[-1]
            lines.append(f"  {f['id']:<12} {f['enforcement']:<9} {name}: {f['message']}")
        lines.append(f"\nDrift from the plan ({len(self.drift)}):")
        lines.extend(f"  {d.line()}" for d in self.drift)
        if self.live.carried:
            lines.append(f"\nNot verified, taken from the plan ({len(self.live.carried)}):")
            for c in self.live.carried:
                lines.append(f"  {c.urn.rsplit('::', 1)[-1]} {c.path}: {c.reason}")
        if self.live.unaudited_types:
            count = sum(self.live.unaudited_types.values())
            lines.append(f"\nNot audited ({count} planned resources of types this reader "
                         f"does not read): " + ", ".join(sorted(self.live.unaudited_types)))
        verdict = {
            EXIT_CLEAN: "compliant, no drift",
            EXIT_VIOLATION: "BLOCKED: the live stack violates policy",
            EXIT_DRIFT: "drifted from the plan (no policy violation)",
            EXIT_INCOMPLETE: "the gate could not run (fail closed)",
        }[self.exit_code]
        lines.append(f"\nDecision: {self.decision} — {verdict} (exit {self.exit_code})")
        return "\n".join(lines)


def gate_findings(inventory: dict[str, Any], options: Any = None):
    """The same gate as `medinfra preview --direct` (Rego + Checkov + waivers)."""
    from medinfra.policies.gate import evaluate

    return evaluate(inventory, options)


def audit(planned: dict[str, Any], reader: Reader, gate_options: Any = None) -> AuditResult:
    """Read the live stack, gate it, compare it with the plan. Raises AuditError when the
    live read cannot complete."""
    live = reader.read(planned)
    result = gate_findings(live.inventory, gate_options)
    drift = compare(planned, live.inventory, reader.audited_types, live.account)
    return AuditResult(
        stack=planned["stack"],
        project=planned["project"],
        live=live,
        decision=result.decision,
        findings=[f.to_dict() for f in result.findings],
        drift=drift,
        gate_failed=result.gate_failed,
        timings=dict(result.timings),
    )


__all__ += ["Carried", "Drift", "EXIT_CLEAN", "EXIT_DRIFT", "EXIT_INCOMPLETE", "EXIT_VIOLATION"]
