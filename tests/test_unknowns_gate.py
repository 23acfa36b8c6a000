"""Findings judged on provenance through the gate and the reports (issue 15): an unknown that
does not trace to a compliant resource of the plan blocks, whatever the rule's severity, and
every report says the finding was judged on provenance."""

from __future__ import annotations

import copy
import datetime as dt

from medinfra.policies import reports
from medinfra.policies.checkov_bridge.runner import Scan
from medinfra.policies.gate import GateOptions, evaluate
from medinfra.policies.inventory import UNKNOWN_MARK

from tests.test_rule_fixtures import fixture


class _NoCheckov:
    """Checkov answers that every check passed: this is about the Rego findings."""

    def scan(self, resources, selection, timeout_s):
        return Scan(scanned=len(resources))


def _gate(resources, tmp_path):
    inventory = {
        "project": "medinfra",
        "stack": "test",
        "config": fixture("config"),
        "resources": resources,
    }
    options = GateOptions(
        today=dt.date(2026, 12, 1), waivers_file=tmp_path / "none.yaml", checkov=_NoCheckov()
    )
    return evaluate(inventory, options)


def _aws_with(name, path, value, tmp_path, references=None):
    resources = copy.deepcopy(list(fixture("aws").values()))
    (target,) = [r for r in resources if r["name"] == name]
    parent = target["props"]
    *parts, last = path.strip("/").split("/")
    for part in parts:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    parent[int(last) if isinstance(parent, list) else last] = value
    target["unknowns"] = [path]
    target["references"] = references if references is not None else target["references"]
    return _gate(resources, tmp_path), target["urn"]


def test_the_compliant_plan_is_allowed(tmp_path):
    result = _gate(list(fixture("aws").values()), tmp_path)
    assert result.decision == "allow" and result.findings == []


def test_an_unverifiable_unknown_of_an_advisory_rule_blocks_and_says_so(tmp_path):
    # MED-LOG-004 is medium (advisory); an unknown retention cannot be verified: mandatory.
    result, urn = _aws_with("logs", "/retentionInDays", UNKNOWN_MARK, tmp_path)
    (finding,) = result.findings
    assert (finding.id, finding.urn, finding.severity) == ("MED-LOG-004", urn, "medium")
    assert finding.enforcement == "mandatory" and result.decision == "block"
    assert finding.provenance == {
        "property": "/retentionInDays",
        "requires": "a value known at preview",
        "traced_to": [],
    }
    assert "cannot be verified before deployment" in finding.message
    assert finding.to_dict()["provenance"]["property"] == "/retentionInDays"


def test_an_unknown_key_traced_to_the_plans_rotating_key_is_allowed(tmp_path):
    result, _ = _aws_with("logs", "/kmsKeyId", UNKNOWN_MARK, tmp_path)
    assert result.decision == "allow" and result.findings == []


def test_an_unknown_key_without_provenance_blocks_on_the_log_group(tmp_path):
    result, urn = _aws_with("logs", "/kmsKeyId", UNKNOWN_MARK, tmp_path, references={})
    judged = [f for f in result.findings if f.provenance]
    assert [(f.id, f.urn, f.enforcement) for f in judged] == [("MED-ENC-005", urn, "mandatory")]
    assert result.decision == "block"


def test_reports_show_which_findings_were_judged_on_provenance(tmp_path):
    result, urn = _aws_with("logs", "/kmsKeyId", UNKNOWN_MARK, tmp_path, references={})
    report = {
        "project": "medinfra",
        "stack": "test",
        "decision": result.decision,
        "resources": 1,
        "findings": [f.to_dict() for f in result.findings],
    }
    sarif = reports.sarif([report], {"test": "stacks/Pulumi.test.yaml"})
    judged = [r for r in sarif["runs"][0]["results"] if "provenance" in r["properties"]]
    assert [r["properties"]["provenance"]["property"] for r in judged] == ["/kmsKeyId"]
    assert len(sarif["runs"][0]["results"]) == len(result.findings) == 2
    markdown = reports.markdown([report])
    assert markdown.count("blocking (judged on provenance)") == 1
