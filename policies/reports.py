"""Reports for CI: SARIF 2.1.0 for code scanning and a Markdown summary for the PR comment.

Both read the `medinfra preview --format json` reports (one per stack) and the rule catalogue,
so what a reviewer sees is exactly what the gate decided. Waived findings stay visible: as
SARIF suppressions with their justification, and in the Markdown waiver table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from medinfra.policies.findings import control_labels
from medinfra.policies.rules import Rule, RuleError, load_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def _catalogue() -> dict[str, Rule]:
    try:
        return {r.id: r for r in load_rules()}
    except RuleError:  # the findings already carry MED-GATE-RULES; report what we have
        return {}


def _level(finding: dict[str, Any]) -> str:
    return "error" if finding["enforcement"] == "mandatory" else "warning"


def _rule_entry(finding: dict[str, Any], rule: Rule | None) -> dict[str, Any]:
    controls = control_labels(finding["controls"])
    description = rule.description if rule else finding["title"]
    help_text = f"{description}\n\nHow to fix: {finding['remediation']}"
    return {
        "id": finding["id"],
        "name": rule.name if rule else finding["id"],
        "shortDescription": {"text": finding["title"]},
        "fullDescription": {"text": description},
        "help": {
            "text": help_text,
            "markdown": f"**{finding['title']}**\n\n{description}\n\n**How to fix:** "
            f"{finding['remediation']}\n\n**Controls:** {', '.join(controls) or '-'}",
        },
        "defaultConfiguration": {"level": _level(finding)},
        "properties": {
            "tags": ["security", "compliance", *controls],
            "security-severity": _SECURITY_SEVERITY.get(finding["severity"], "5.0"),
            "precision": "high",
        },
    }


def sarif(reports: Iterable[dict[str, Any]], artifact_for: dict[str, str]) -> dict[str, Any]:
    """One SARIF run holding every stack's findings. `artifact_for` maps stack -> the file
    (relative path) results are anchored to, normally the stack's config file."""
    catalogue = _catalogue()
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for report in reports:
        stack = report["stack"]
        for finding in report["findings"]:
            if finding["id"] not in rules:
                rules[finding["id"]] = _rule_entry(finding, catalogue.get(finding["id"]))
            fingerprint = hashlib.sha256(
                f"{finding['id']}|{finding['urn']}|{finding['message']}".encode()
            ).hexdigest()
            result: dict[str, Any] = {
                "ruleId": finding["id"],
                "level": _level(finding),
                "message": {"text": f"{finding['message']}. Fix: {finding['remediation']}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": artifact_for.get(stack, "Pulumi.yaml")},
                            "region": {"startLine": 1},
                        },
                        "logicalLocations": [
                            {
                                "fullyQualifiedName": finding["urn"]
                                or f"{report['project']}/{stack}",
                                "kind": "resource" if finding["urn"] else "module",
                            }
                        ],
                    }
                ],
                "partialFingerprints": {"medinfraFinding/v1": fingerprint},
                "properties": {
                    "stack": stack,
                    "severity": finding["severity"],
                    "controls": finding["controls"],
                    "resourceType": finding["resource_type"],
                },
            }
            if finding.get("provenance"):
                result["properties"]["provenance"] = finding["provenance"]
            if finding["waiver"]:
                waiver = finding["waiver"]
                result["suppressions"] = [
                    {
                        "kind": "external",
                        "status": "accepted",
                        "justification": f"{waiver['reason']} (ticket {waiver['ticket']}, approved "
                        f"by {waiver['approved_by']}, expires {waiver['expires']})",
                    }
                ]
            results.append(result)
    ordered = sorted(rules)
    for result in results:
        result["ruleIndex"] = ordered.index(result["ruleId"])
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "MedInfra policy gate",
                        "informationUri": "https://github.com/medinfra/medinfra",
                        "version": "0.1.0",
                        "rules": [rules[r] for r in ordered],
                    }
                },
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": not any(
                            f["id"].startswith("MED-GATE-") for r in reports for f in r["findings"]
                        )
                    }
                ],
            }
        ],
    }


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown(reports: list[dict[str, Any]], top: int = 10) -> str:
    """A PR-comment summary: decision, counts per stack, top findings, waivers in effect."""
    blocked = any(r["decision"] == "block" for r in reports)
    lines = [
        f"## MedInfra policy gate: {'BLOCKED' if blocked else 'allowed'}",
        "",
        "| stack | decision | blocking | advisory | waived | resources |",
        "|---|---|---|---|---|---|",
    ]
    everything = []
    for report in reports:
        findings = report["findings"]
        blocking = [f for f in findings if f["enforcement"] == "mandatory" and not f["waiver"]]
        advisory = [f for f in findings if f["enforcement"] == "advisory" and not f["waiver"]]
        waived = [f for f in findings if f["waiver"]]
        lines.append(
            f"| {report['stack']} | {report['decision']} | {len(blocking)} | "
            f"{len(advisory)} | {len(waived)} | {report['resources']} |"
        )
        everything += [(report["stack"], f) for f in findings]
    open_findings = [(s, f) for s, f in everything if not f["waiver"]]
    open_findings.sort(
        key=lambda sf: (
            sf[1]["enforcement"] != "mandatory",
            ["critical", "high", "medium", "low"].index(sf[1]["severity"]),
            sf[1]["id"],
        )
    )
    if open_findings:
        lines += [
            "",
            f"### Top findings ({min(top, len(open_findings))} of {len(open_findings)})",
            "",
            "| | rule | controls | stack | resource (URN) | what is wrong | how to fix |",
            "|---|---|---|---|---|---|---|",
        ]
        for stack, f in open_findings[:top]:
            mark = "blocking" if f["enforcement"] == "mandatory" else "advisory"
            if f.get("provenance"):
                mark += " (judged on provenance)"
            controls = ", ".join(control_labels(f["controls"])) or "-"
            resource = f"`{_cell(f['urn'], 200)}`" if f["urn"] else "(the gate itself)"
            lines.append(
                f"| {mark} | {f['id']} | {_cell(controls)} | {stack} | {resource} | "
                f"{_cell(f['message'])} | {_cell(f['remediation'])} |"
            )
    waived = [(s, f) for s, f in everything if f["waiver"]]
    if waived:
        lines += [
            "",
            "### Waivers in effect",
            "",
            "| rule | stack | resource | ticket | approved by | expires |",
            "|---|---|---|---|---|---|",
        ]
        for stack, f in waived:
            w = f["waiver"]
            lines.append(
                f"| {f['id']} | {stack} | `{_cell(f['urn'].rsplit('::', 1)[-1], 60)}` "
                f"| {_cell(w['ticket'])} | {_cell(w['approved_by'])} | {w['expires']} |"
            )
    lines += [
        "",
        "_Offline preview under Pulumi's mock runtime; exit codes: 0 allowed, "
        "1 blocked, 2 invalid input, 3 gate could not run._",
    ]
    return "\n".join(lines) + "\n"
