"""SARIF and Markdown outputs of `medinfra preview`, and the two gate paths agreeing."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.conftest import REPO

SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
UNENCRYPTED = str(REPO / "examples" / "noncompliant-unencrypted-bucket")


def _sarif_errors(document: dict) -> list[str]:
    # iter_errors, not validate(): the official file has two upstream defects that make
    # check_schema() fail (see tests/data/SARIF-SOURCE.md); instance validation is sound.
    return [e.message for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(document)]


@pytest.fixture(scope="module")
def blocked(tmp_path_factory):
    from tests.conftest import run_cli

    out = tmp_path_factory.mktemp("reports")
    result = run_cli(
        "preview",
        "--dir",
        UNENCRYPTED,
        "--stack",
        "dev",
        "--sarif",
        str(out / "gate.sarif"),
        "--markdown",
        str(out / "gate.md"),
    )
    assert result.code == 1, result.stderr
    return json.loads((out / "gate.sarif").read_text()), (out / "gate.md").read_text()


def test_sarif_is_valid_2_1_0_with_rule_metadata_and_urn_locations(blocked):
    sarif, _ = blocked
    assert _sarif_errors(sarif) == []
    run = sarif["runs"][0]
    (rule,) = [r for r in run["tool"]["driver"]["rules"] if r["id"] == "MED-ENC-001"]
    assert (
        "How to fix" in rule["help"]["text"]
        and "HIPAA 164.312(a)(2)(iv)" in rule["properties"]["tags"]
    )
    (result,) = [r for r in run["results"] if r["ruleId"] == "MED-ENC-001"]
    assert result["level"] == "error"
    logical = result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
    assert logical == "urn:pulumi:dev::noncompliant-unencrypted-bucket::aws:s3/bucket:Bucket::scans"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "Pulumi.dev.yaml"
    )
    assert "suppressions" not in result


def test_waived_findings_are_sarif_suppressions_with_justification(tmp_path, cli):
    out = tmp_path / "dev.sarif"
    result = cli("preview", "--stack", "aws-dev", "--sarif", str(out))
    assert result.code == 0, result.stderr
    sarif = json.loads(out.read_text())
    assert _sarif_errors(sarif) == []
    results = sarif["runs"][0]["results"]
    # A stack that is allowed has only waived (suppressed) or advisory (note) results.
    assert all(r.get("suppressions") or r["level"] != "error" for r in results)
    waived = [r for r in results if r["ruleId"] == "CKV2_AWS_62"]
    assert waived
    for result in waived:
        (suppression,) = result["suppressions"]
        assert suppression["status"] == "accepted" and "SEC-120" in suppression["justification"]


def test_sarif_schema_rejects_a_broken_log():
    assert _sarif_errors({"runs": []}) != []


def test_markdown_summary_has_decision_counts_top_findings(blocked):
    _, markdown = blocked
    assert markdown.startswith("## MedInfra policy gate: BLOCKED")
    sarif, _ = blocked
    # Rego's MED-ENC-001 and Checkov's checks on the same bucket: each counted once.
    results = sarif["runs"][0]["results"]
    blocking = sum(r["level"] == "error" for r in results)
    assert f"| dev | block | {blocking} | {len(results) - blocking} | 0 | 8 |" in markdown
    assert {"MED-ENC-001", "CKV_AWS_145"} <= {r["ruleId"] for r in results}
    urn = "urn:pulumi:dev::noncompliant-unencrypted-bucket::aws:s3/bucket:Bucket::scans"
    controls = (
        "HIPAA 164.312(a)(2)(iv), GDPR Art.32(1)(a), CIS AWS 2.1.1, CIS Azure 3.12, CIS GCP 5.3"
    )
    assert f"| blocking | MED-ENC-001 | {controls} | dev | `{urn}` |" in markdown
    assert "kms_master_key_id" in markdown  # the remediation


def test_markdown_lists_waivers_in_effect(all_stacks):
    assert all_stacks.result.code == 0, all_stacks.result.stderr
    text = all_stacks.markdown
    assert "## MedInfra policy gate: allowed" in text
    assert "### Waivers in effect" in text and "SEC-120" in text


def test_protocol_path_and_direct_call_give_the_same_findings(cli):
    through_pack = cli("preview", "--dir", UNENCRYPTED, "--stack", "dev", "--format", "json")
    direct = cli("preview", "--dir", UNENCRYPTED, "--stack", "dev", "--format", "json", "--direct")
    assert through_pack.code == direct.code == 1
    assert through_pack.json()["findings"] == direct.json()["findings"]
