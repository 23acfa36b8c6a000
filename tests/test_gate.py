"""The gate: decisions, fail-closed faults, waivers, engine parity, end-to-end examples."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from medinfra.policies.checkov_bridge.runner import Scan
from medinfra.policies.engines import EmbeddedEngine, OpaServerEngine
from medinfra.policies.gate import GateOptions, evaluate
from medinfra.policies.inventory import InventoryResource
from medinfra.policies.rules import RULES_DIR

from tests.conftest import REPO

TODAY = dt.date(2026, 11, 23)
BUCKET = "urn:pulumi:dev::demo::aws:s3/bucket:Bucket::scans"
CLUSTER = "urn:pulumi:dev::demo::aws:eks/cluster:Cluster::api"


def _resource(urn, type_, props, **extra):
    return InventoryResource(
        urn=urn,
        type=type_,
        name=urn.rsplit("::", 1)[1],
        provider="aws",
        parent=None,
        props=props,
        **extra,
    ).to_dict()


def _inventory(*resources, stack="dev"):
    return {
        "project": "demo",
        "stack": stack,
        "config": {"allowedRegions": ["eu-central-1"], "dataClassification": "phi"},
        "resources": list(resources),
    }


TAGS = {"owner": "o", "costCenter": "c", "environment": "dev", "dataClassification": "phi"}
#: A KMS key every key rule accepts (rotation, deletion window, explicit policy); no tags.
UNTAGGED_KEY = {
    "enableKeyRotation": True,
    "rotationPeriodInDays": 90,
    "deletionWindowInDays": 30,
    "policy": json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                        "Action": "kms:*", "Resource": "*"}]}
    ),
}
NONCOMPLIANT = _inventory(
    _resource(BUCKET, "aws:s3/bucket:Bucket", {"tags": TAGS}),
    _resource(
        CLUSTER,
        "aws:eks/cluster:Cluster",
        {"tags": TAGS, "vpcConfig": {"endpointPublicAccess": True}},
    ),
)


def _waivers(tmp_path, *entries, raw=None):
    path = tmp_path / "waivers.yaml"
    path.write_text(raw if raw is not None else json.dumps({"waivers": list(entries)}))
    return path


def _waiver(**kw):
    return {
        "rule": "MED-ENC-001",
        "resource": BUCKET,
        "stacks": "*",
        "reason": "migration window for the legacy scanner",
        "approved_by": "ciso",
        "ticket": "SEC-7",
        "expires": "2027-01-31",
        **kw,
    }


class NoCheckov:
    """These tests are about the Rego engine and the decision; tests/test_checkov.py runs
    Checkov itself on the same gate."""

    def scan(self, resources, selection, timeout_s):
        return Scan()


def _options(tmp_path, **kw):
    if "waivers_file" not in kw:  # not setdefault: that would overwrite the test's own file
        kw["waivers_file"] = _waivers(tmp_path)
    kw.setdefault("checkov", NoCheckov())
    return GateOptions(today=TODAY, **kw)


def _ids(result):
    return sorted((f.id, f.urn) for f in result.findings)


def test_noncompliant_inventory_is_blocked_with_rule_ids_on_urns(tmp_path):
    result = evaluate(NONCOMPLIANT, _options(tmp_path))
    assert result.decision == "block" and result.exit_code == 1
    assert {("MED-ENC-001", BUCKET), ("MED-NET-001", CLUSTER)} <= set(_ids(result))
    assert {urn for _, urn in _ids(result)} == {BUCKET, CLUSTER}
    enc = next(f for f in result.findings if f.id == "MED-ENC-001")
    assert enc.enforcement == "mandatory" and enc.severity == "high"
    assert enc.controls["hipaa"] == ["164.312(a)(2)(iv)"]
    assert enc.resource_type == "aws:s3/bucket:Bucket"
    assert "kms_master_key_id" in enc.remediation


def test_advisory_findings_do_not_block(tmp_path):
    inv = _inventory(
        _resource(
            "urn:pulumi:dev::demo::aws:kms/key:Key::k",
            "aws:kms/key:Key",
            UNTAGGED_KEY,
        )
    )
    result = evaluate(inv, _options(tmp_path))
    assert [f.id for f in result.findings] == ["MED-TAG-001"]
    assert result.findings[0].enforcement == "advisory"
    assert result.decision == "allow" and result.exit_code == 0


def test_valid_waiver_marks_the_finding_and_allows(tmp_path):
    inv = _inventory(_resource(BUCKET, "aws:s3/bucket:Bucket", {"tags": TAGS}))
    rules = _only(tmp_path, "store_encrypted_with_cmk")
    waivers = _waivers(tmp_path, _waiver())
    result = evaluate(inv, _options(tmp_path, waivers_file=waivers, rules_dir=rules))
    (finding,) = result.findings
    assert finding.waiver["ticket"] == "SEC-7" and finding.waiver["approved_by"] == "ciso"
    assert result.decision == "allow"


def test_expired_waiver_blocks_and_reports_the_expiry(tmp_path):
    inv = _inventory(_resource(BUCKET, "aws:s3/bucket:Bucket", {"tags": TAGS}))
    waivers = _waivers(tmp_path, _waiver(expires="2026-11-22"))
    result = evaluate(inv, _options(tmp_path, waivers_file=waivers))
    assert result.decision == "block"
    expired = next(f for f in result.findings if f.id == "MED-WAIVER-002")
    assert "expired on 2026-11-22" in expired.message and "SEC-7" in expired.message
    assert next(f for f in result.findings if f.id == "MED-ENC-001").waiver is None


def test_waiver_for_a_non_waivable_rule_blocks(tmp_path):
    inv = _inventory(
        _resource(
            CLUSTER,
            "aws:eks/cluster:Cluster",
            {"tags": TAGS, "vpcConfig": {"endpointPublicAccess": True}},
        )
    )
    waivers = _waivers(tmp_path, _waiver(rule="MED-NET-001", resource=CLUSTER))
    result = evaluate(inv, _options(tmp_path, waivers_file=waivers))
    assert result.decision == "block"
    assert any(
        f.id == "MED-WAIVER-003" and "may not be waived" in f.message for f in result.findings
    )


def test_waiver_scoped_to_other_stacks_or_resources_does_not_apply(tmp_path):
    inv = _inventory(_resource(BUCKET, "aws:s3/bucket:Bucket", {"tags": TAGS}))
    waivers = _waivers(tmp_path, _waiver(stacks="prod-*"), _waiver(resource="*::other"))
    assert evaluate(inv, _options(tmp_path, waivers_file=waivers)).decision == "block"


def test_malformed_waiver_entry_does_not_apply_and_is_reported(tmp_path):
    inv = _inventory(_resource(BUCKET, "aws:s3/bucket:Bucket", {"tags": TAGS}))
    entry = _waiver()
    del entry["approved_by"]
    result = evaluate(inv, _options(tmp_path, waivers_file=_waivers(tmp_path, entry)))
    assert result.decision == "block"
    assert any(f.id == "MED-WAIVER-001" and "approved_by" in f.message for f in result.findings)


def test_malformed_waiver_file_fails_closed(tmp_path):
    result = evaluate(
        NONCOMPLIANT, _options(tmp_path, waivers_file=_waivers(tmp_path, raw="waivers: [unclosed"))
    )
    assert result.exit_code == 3 and result.findings[0].id == "MED-GATE-WAIVERS"


def _only(tmp_path, *names):
    """A rules directory with only these rules: the waiver and enforcement mechanics are
    exercised on one rule's findings, whatever else the catalogue would say."""
    target = tmp_path / "only"
    for name in names:
        shutil.copytree(RULES_DIR / name, target / name)
    return target


def _rules_copy(tmp_path):
    target = tmp_path / "rego"
    shutil.copytree(RULES_DIR, target)
    return target


def test_rule_with_a_syntax_error_fails_closed(tmp_path):
    rules = _rules_copy(tmp_path)
    path = rules / "cluster_api_not_public" / "cluster_api_not_public.rego"
    path.write_text(path.read_text() + "\ndeny contains x if {\n")
    result = evaluate(NONCOMPLIANT, _options(tmp_path, rules_dir=rules))
    assert result.exit_code == 3 and result.findings[0].id == "MED-GATE-ENGINE"
    assert "cluster_api_not_public.rego" in result.findings[0].message


def test_rule_with_missing_metadata_fails_the_load(tmp_path):
    rules = _rules_copy(tmp_path)
    path = rules / "required_tags_present" / "required_tags_present.rego"
    path.write_text(path.read_text().replace("#   severity: medium\n", ""))
    result = evaluate(NONCOMPLIANT, _options(tmp_path, rules_dir=rules))
    assert result.exit_code == 3 and result.findings[0].id == "MED-GATE-RULES"
    assert "'severity' is a required property" in result.findings[0].message


def test_engine_raising_fails_closed(tmp_path):
    class Broken:
        name = "broken"

        def evaluate(self, rules, input_json, timeout_s):
            raise RuntimeError("simulated engine crash")

    result = evaluate(NONCOMPLIANT, _options(tmp_path, engine=Broken()))
    assert result.exit_code == 3 and result.findings[0].id == "MED-GATE-ENGINE"
    assert "simulated engine crash" in result.findings[0].message


def test_evaluation_exceeding_the_timeout_fails_closed(tmp_path):
    rules = _rules_copy(tmp_path)
    slow = rules / "zz_slow"
    slow.mkdir()
    meta = (rules / "required_tags_present" / "required_tags_present.rego").read_text()
    header = meta.split("package ")[0].replace("MED-TAG-001", "MED-TAG-999")
    (slow / "zz_slow.rego").write_text(
        header + "package medinfra.rules.zz_slow\n\nimport rego.v1\n\n"
        'deny contains {"urn": "x", "message": "slow"} if {\n'
        "\tcount([1 | some i in numbers.range(1, 2000); some j in numbers.range(1, 2000)]) < 0\n"
        "}\n"
    )
    (slow / "zz_slow_test.rego").write_text("package medinfra.rules.zz_slow_test\n")
    result = evaluate(NONCOMPLIANT, _options(tmp_path, rules_dir=rules, timeout_s=0.05))
    assert result.exit_code == 3 and result.findings[0].id == "MED-GATE-TIMEOUT"


def test_unreachable_opa_server_fails_closed(tmp_path):
    engine = OpaServerEngine("http://127.0.0.1:1")
    result = evaluate(NONCOMPLIANT, _options(tmp_path, engine=engine, timeout_s=2))
    assert result.exit_code == 3 and result.findings[0].id == "MED-GATE-ENGINE"
    assert "unreachable" in result.findings[0].message


def test_opa_server_gives_the_same_findings_as_the_embedded_engine(tmp_path):
    from tests.opa_standin import serve

    embedded = evaluate(NONCOMPLIANT, _options(tmp_path, engine=EmbeddedEngine()))
    with serve() as (url, _port):
        served = evaluate(NONCOMPLIANT, _options(tmp_path, engine=OpaServerEngine(url)))
    assert [f.to_dict() for f in served.findings] == [f.to_dict() for f in embedded.findings]
    assert served.decision == embedded.decision == "block"


_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=6)
_json = st.recursive(
    _leaf,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
    max_leaves=8,
)
_resource_like = st.fixed_dictionaries(
    {
        "urn": st.text(max_size=12) | st.integers(),
        "type": st.sampled_from(
            [
                "aws:s3/bucket:Bucket",
                "aws:eks/cluster:Cluster",
                "aws:kms/key:Key",
                "pulumi:providers:aws",
                "x",
            ]
        )
        | st.integers(),
    },
    optional={"props": _json, "references": _json, "unknowns": _json, "name": _json},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        _json,
        st.fixed_dictionaries(
            {"resources": st.lists(_resource_like, max_size=4)},
            optional={"config": _json, "stack": _json},
        ),
    )
)
def test_arbitrary_inventory_never_crashes_the_gate(inventory):
    result = evaluate(inventory, GateOptions(today=TODAY, waivers_file=REPO / "nonexistent"))
    assert result.exit_code in (0, 1, 3)
    assert result.decision in ("allow", "block")
    if result.exit_code == 0:
        assert not any(f.blocks for f in result.findings)


@pytest.mark.parametrize(
    ("example", "rule", "resource", "control"),
    [
        (
            "noncompliant-unencrypted-bucket",
            "MED-ENC-001",
            "aws:s3/bucket:Bucket::scans",
            "164.312(a)(2)(iv)",
        ),
        (
            "noncompliant-public-cluster",
            "MED-NET-001",
            "aws:eks/cluster:Cluster::public",
            "164.312(e)(1)",
        ),
    ],
)
def test_noncompliant_examples_are_blocked_end_to_end(cli, example, rule, resource, control):
    directory = str(REPO / "examples" / example)
    text = cli("preview", "--dir", directory, "--stack", "dev")
    assert text.code == 1, text.stderr
    assert f"[MANDATORY] {rule}" in text.stdout and resource in text.stdout
    assert control in text.stdout and "fix: " in text.stdout
    as_json = cli("preview", "--dir", directory, "--stack", "dev", "--format", "json")
    assert as_json.code == 1
    report = as_json.json()
    assert report["decision"] == "block"
    (finding,) = [f for f in report["findings"] if f["id"] == rule]
    assert finding["urn"].endswith(resource) and control in json.dumps(finding["controls"])
    assert finding["remediation"]


def test_cli_fails_closed_when_the_opa_server_is_unreachable(cli):
    result = cli(
        "preview",
        "--stack",
        "aws-dev",
        "--opa-url",
        "http://127.0.0.1:1",
        "--gate-timeout",
        "120",  # the whole gate's bound: the pack has to start before it can ask OPA
        "--format",
        "json",
    )
    assert result.code == 3
    assert result.json()["findings"][0]["id"] == "MED-GATE-ENGINE"
    assert "connection refused" in result.json()["findings"][0]["message"]


def _tag_only_inventory(classification, enforcement):
    inv = _inventory(
        _resource(
            "urn:pulumi:dev::demo::aws:kms/key:Key::k",
            "aws:kms/key:Key",
            UNTAGGED_KEY,
        )
    )
    inv["config"]["dataClassification"] = classification
    inv["config"]["policy"] = {"enforcement": enforcement}
    return inv


def test_stack_can_make_an_advisory_rule_mandatory(tmp_path):
    result = evaluate(_tag_only_inventory("phi", {"MED-TAG-001": "mandatory"}), _options(tmp_path))
    assert [f.enforcement for f in result.findings] == ["mandatory"]
    assert result.decision == "block"


def test_phi_stack_cannot_weaken_a_mandatory_rule(tmp_path):
    inv = _inventory(_resource(BUCKET, "aws:s3/bucket:Bucket", {"tags": TAGS}))
    inv["config"]["policy"] = {"enforcement": {"MED-ENC-001": "advisory"}}
    result = evaluate(inv, _options(tmp_path))
    assert result.decision == "block"
    assert next(f for f in result.findings if f.id == "MED-ENC-001").enforcement == "mandatory"
    note = next(f for f in result.findings if f.id == "MED-POLICY-001")
    assert "stays mandatory" in note.message


def test_non_phi_stack_may_weaken_a_rule(tmp_path):
    inv = _inventory(
        _resource(
            BUCKET, "aws:s3/bucket:Bucket", {"tags": {**TAGS, "dataClassification": "public"}}
        )
    )
    inv["config"]["dataClassification"] = "public"
    inv["config"]["policy"] = {"enforcement": {"MED-ENC-001": "advisory"}}
    rules = _only(tmp_path, "store_encrypted_with_cmk", "required_tags_present")
    result = evaluate(inv, _options(tmp_path, rules_dir=rules))
    assert [(f.id, f.enforcement) for f in result.findings] == [("MED-ENC-001", "advisory")]
    assert result.decision == "allow"
