"""A finding: the output of every engine of the gate (DESIGN.md "A finding")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low")
FRAMEWORKS = ("hipaa", "gdpr", "cis")
MANDATORY_SEVERITIES = frozenset({"critical", "high"})


@dataclass
class Finding:
    """One thing wrong with one resource (or with the gate itself)."""

    id: str
    source: str
    title: str
    severity: str
    enforcement: str
    urn: str
    resource_type: str
    message: str
    remediation: str
    controls: dict[str, list[str]] = field(
        default_factory=lambda: {"hipaa": [], "gdpr": [], "cis": []}
    )
    waiver: dict[str, Any] | None = None
    #: Set when the finding was judged on provenance: a value unknown before deployment that
    #: does not trace to a compliant resource of the plan ({"property", "requires", "traced_to"}).
    #: Such a finding is mandatory whatever the rule's severity (DESIGN.md: fail closed).
    provenance: dict[str, Any] | None = None

    @property
    def blocks(self) -> bool:
        """A mandatory finding that no valid waiver covers."""
        return self.enforcement == "mandatory" and self.waiver is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def control_labels(controls: dict[str, list[str]]) -> list[str]:
    """ "HIPAA 164.312(b)"-style labels, in one fixed framework order for every report."""
    return [f"{k.upper()} {c}" for k in FRAMEWORKS for c in controls.get(k, [])]


def gate_error(code: str, message: str, remediation: str) -> Finding:
    """A MED-GATE-* finding: the gate could not decide, so it blocks (fail closed)."""
    return Finding(
        id=f"MED-GATE-{code}",
        source="gate",
        title="The policy gate could not run",
        severity="critical",
        enforcement="mandatory",
        urn="",
        resource_type="",
        message=message,
        remediation=remediation,
    )
