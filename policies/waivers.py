"""Waivers: accountable, expiring exceptions (policies/waivers.yaml). Data, never rule edits.

A waiver names a rule id, a resource URN glob and a stack glob, with a reason, an approver, a
ticket and an expiry date. A waiver that is expired, malformed, or for a rule that may not be
waived does not apply, and is itself reported; waived findings stay in every report, marked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from medinfra.policies.findings import Finding
from medinfra.policies.rules import Rule
from medinfra.policies.strict_yaml import StrictYamlError, load_file
from pydantic import BaseModel, ConfigDict, Field, ValidationError

WAIVERS_FILE = Path(__file__).resolve().parent / "waivers.yaml"


class WaiverFileError(Exception):
    """The waiver file itself cannot be read (the gate blocks: fail closed)."""


class Waiver(BaseModel):
    """One accountable exception."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(pattern=r"^(MED-[A-Z]{2,5}-\d{3}|CKV2?_(MED_)?[A-Z0-9]+_\d+)$")
    resource: str = Field(min_length=1)
    stacks: str = Field(default="*", min_length=1)
    reason: str = Field(min_length=10)
    approved_by: str = Field(min_length=2)
    ticket: str = Field(min_length=2)
    expires: dt.date


@dataclass
class WaiverSet:
    """The parsed file: usable waivers, and problems to report (index, message)."""

    waivers: list[tuple[int, Waiver]]
    problems: list[tuple[int, str]]


def load_waivers(path: Path = WAIVERS_FILE) -> WaiverSet:
    """Parse the file; a bad entry is a problem, a bad file is a WaiverFileError."""
    if not path.exists():
        return WaiverSet([], [])
    try:
        # Dates stay text: `expires: 2027-02-30` is then one malformed waiver (reported, not
        # applied), not a crash.
        data = load_file(path, dates_as_text=True)
    except StrictYamlError as exc:
        raise WaiverFileError(f"waivers file {exc}") from None
    if data is None:
        return WaiverSet([], [])
    if not isinstance(data, dict) or not isinstance(data.get("waivers", []), list):
        raise WaiverFileError(f"{path.name}: expected a mapping with a 'waivers' list")
    waivers, problems = [], []
    for i, entry in enumerate(data.get("waivers") or []):
        try:
            waivers.append((i, Waiver.model_validate(entry)))
        except ValidationError as exc:
            detail = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}"
                + (f" (got {e['input']!r:.40})" if e["loc"] == ("expires",) else "")
                for e in exc.errors()
            )
            problems.append((i, f"waiver #{i + 1} is malformed and does not apply ({detail})"))
    return WaiverSet(waivers, problems)


def apply_waivers(
    findings: list[Finding],
    waiver_set: WaiverSet,
    rules: dict[str, Rule],
    stack: str,
    today: dt.date,
) -> list[Finding]:
    """Mark waived findings; return findings about waivers that did not apply."""
    reports: list[Finding] = []
    for _index, message in waiver_set.problems:
        reports.append(_waiver_finding("MED-WAIVER-001", message))
    for i, waiver in waiver_set.waivers:
        if waiver.expires < today:
            reports.append(
                _waiver_finding(
                    "MED-WAIVER-002",
                    f"waiver #{i + 1} for {waiver.rule} expired on {waiver.expires.isoformat()} "
                    f"(ticket {waiver.ticket}); it no longer applies",
                )
            )
            continue
        if not fnmatchcase(stack, waiver.stacks):
            continue
        rule = rules.get(waiver.rule)
        if rule is not None and not rule.waivable:
            reports.append(
                _waiver_finding(
                    "MED-WAIVER-003",
                    f"waiver #{i + 1} targets {waiver.rule}, which may not be waived "
                    f"(ticket {waiver.ticket}); it does not apply",
                )
            )
            continue
        for finding in findings:
            if (
                finding.id == waiver.rule
                and finding.waiver is None
                and fnmatchcase(finding.urn, waiver.resource)
            ):
                finding.waiver = _record(waiver)
    return reports


def _record(waiver: Waiver) -> dict[str, Any]:
    return {
        "reason": waiver.reason,
        "approved_by": waiver.approved_by,
        "ticket": waiver.ticket,
        "expires": waiver.expires.isoformat(),
        "resource": waiver.resource,
        "stacks": waiver.stacks,
    }


def _waiver_finding(code: str, message: str) -> Finding:
    return Finding(
        id=code,
        source="waivers",
        title="A waiver did not apply",
        severity="medium",
        enforcement="advisory",
        urn="",
        resource_type="",
        message=message,
        remediation="Renew, correct or remove the waiver in policies/waivers.yaml "
        "(rule, resource, stacks, reason, approved_by, ticket, expires).",
    )
