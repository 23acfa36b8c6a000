"""OSCAL Assessment Results of every reference stack validate against OSCAL 1.1.3 (compliance-
trestle's models) and carry each finding, its controls and each waiver as a risk."""

from __future__ import annotations

import json
import warnings

import pytest

from medinfra.evidence.bundle import BUNDLE_FILES
from medinfra.evidence.oscal import control_token, document, hipaa_catalog_entry
from tests.evidence.conftest import STACKS


def _documents(bundle):
    return {n: json.loads((bundle / n).read_text()) for n in BUNDLE_FILES}


def _validate(doc: dict):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # trestle 3 uses pydantic's v1 API
        from trestle.oscal import OSCAL_VERSION
        from trestle.oscal.assessment_results import AssessmentResults

        assert OSCAL_VERSION.startswith("1.1.")
        return AssessmentResults.parse_obj(doc["assessment-results"])


@pytest.mark.parametrize("stack", STACKS)
def test_each_reference_stack_gives_valid_oscal_with_one_observation_per_finding(stack, bundles):
    bundle = _documents(bundles[stack])
    doc = document([bundle])
    model = _validate(doc)
    assert doc["assessment-results"]["metadata"]["oscal-version"] == "1.1.3"
    (result,) = doc["assessment-results"]["results"]
    findings = bundle["findings.json"]["findings"]
    assert len(model.results[0].observations) == len(result["findings"]) == len(findings)
    for ours, oscal in zip(findings, result["findings"], strict=True):
        controls = [p["value"] for p in oscal["props"] if p["name"] == "control-id"]
        assert controls == [c for fw in ("hipaa", "gdpr", "cis") for c in ours["controls"][fw]]
        assert oscal["target"]["status"]["state"] == (
            "satisfied" if ours["waiver"] else "not-satisfied")
    reviewed = {c["control-id"] for c in
                result["reviewed-controls"]["control-selections"][0]["include-controls"]}
    assert control_token("hipaa", "164.312(a)(2)(iv)") in reviewed


def test_waivers_become_approved_deviations_with_their_expiry_and_approver(bundles):
    doc = document([_documents(bundles["aws-prod"])])
    (result,) = doc["assessment-results"]["results"]
    waived = [f for f in result["findings"] if f["target"]["status"]["state"] == "satisfied"]
    assert waived
    risks = {r["uuid"]: r for r in result["risks"]}
    parties = {p["uuid"]: p["name"] for p in doc["assessment-results"]["metadata"]["parties"]}
    for finding in waived:
        (link,) = finding["related-risks"]
        risk = risks[link["risk-uuid"]]
        assert risk["status"] == "deviation-approved"
        assert risk["deadline"] == "2027-11-30T23:59:59Z"
        (entry,) = risk["risk-log"]["entries"]
        assert parties[entry["logged-by"][0]["party-uuid"]] == "security-officer@medinfra.example"


def test_expired_and_blocking_findings_in_oscal_and_all_stacks_in_one_document(
    bundles, blocked_bundle
):
    blocked = _documents(blocked_bundle)
    doc = document([_documents(bundles[s]) for s in STACKS] + [blocked])
    _validate(doc)
    results = doc["assessment-results"]["results"]
    assert len(results) == 7
    last = results[-1]
    assert {"name": "decision", "ns": last["props"][0]["ns"], "value": "block"} in last["props"]
    statuses = {r["props"][0]["value"]: r["status"] for r in last["risks"]}
    assert statuses == {"applied": "deviation-approved", "expired": "open"}
    srv = [f for f in last["findings"] if f["title"].startswith("MED-SRV-005")]
    assert srv and srv[0]["target"]["status"]["state"] == "not-satisfied"


def test_hipaa_ids_map_to_the_oscal_hipaa_catalogue_where_it_has_the_standard():
    assert hipaa_catalog_entry("164.312(a)(2)(iv)")["group"] == "group-3.14"
    assert hipaa_catalog_entry("164.308(a)(1)(ii)(B)")["group"] == "group-1.1"
    assert hipaa_catalog_entry("164.312(e)(1)")["title"] == "Transmission Security"
    assert hipaa_catalog_entry("164.999(z)") is None


def test_evidence_oscal_command_converts_a_directory_of_bundles(bundles, tmp_path):
    from tests.conftest import run_cli

    out = tmp_path / "results.json"
    result = run_cli("evidence", "oscal", str(bundles["aws-dev"].parent), "--out", str(out))
    assert result.code == 0, result.stderr
    doc = json.loads(out.read_text())
    _validate(doc)
    assert [r["title"].rsplit("/ ", 1)[1] for r in doc["assessment-results"]["results"]] == list(
        STACKS)
