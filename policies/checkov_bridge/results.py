"""What a Checkov scan says, in terms both environments share: the check selection
(`Selection`), one check on one Pulumi resource (`CheckResult`), a scan's results (`Scan`), the
errors that make the gate block (`CheckovError`, `CheckovTimeout`), and `_collect`, which maps
the runner's records back to the Pulumi URNs they came from.

The standard library only. runner.py (in the Checkov worker) builds these and re-exports them:
MedInfra's environment imports them from there (client.py, answers.py, the gate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from medinfra.policies.checkov_bridge.parallel import Record


class CheckovError(Exception):
    """Checkov could not scan the Inventory (the gate blocks: fail closed)."""


class CheckovTimeout(CheckovError):
    """The scan took longer than allowed."""


@dataclass(frozen=True)
class Selection:
    """Which checks run: `checks` (ids or Checkov's globs; empty = all), minus `skip_checks`."""

    checks: tuple[str, ...] = ()
    skip_checks: tuple[str, ...] = ()


@dataclass
class CheckResult:
    """One check on one Pulumi resource."""

    check_id: str
    check_name: str
    guideline: str | None
    result: str
    urn: str
    resource: str
    framework: str


@dataclass
class Scan:
    """What Checkov said about an Inventory."""

    results: list[CheckResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    unmapped_types: list[str] = field(default_factory=list)
    scanned: int = 0

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.result != "PASSED"]


def _collect(records: list[Record], urn_of, framework: str) -> list[CheckResult]:
    out = []
    for record in records:
        urn = urn_of(record)
        if urn is None:
            continue
        out.append(
            CheckResult(
                check_id=record.check_id,
                check_name=record.check_name,
                guideline=record.guideline,
                result="FAILED" if record.result == "SKIPPED" else record.result,
                urn=urn,
                resource=record.resource,
                framework=framework,
            )
        )
    return out
