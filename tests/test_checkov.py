"""Checkov, the gate's second engine: converters, the scan, findings, faults, examples.

Checkov runs in its own environment, in the test process's Checkov worker (tests/checkov_worker.py);
every scan here is real.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from medinfra.policies.checkov_bridge import runner
from medinfra.policies.checkov_bridge.controls import CONTROLS
from medinfra.policies.checkov_bridge.tfplan import snake, to_terraform_plan
from medinfra.policies.checkov_bridge.types import ARM_TYPES
from medinfra.policies.gate import GateOptions, evaluate
from medinfra.policies.inventory import InventoryResource

from tests import checkov_worker
from tests.conftest import REPO

TODAY = dt.date(2026, 11, 23)
DATA = REPO / "tests" / "data" / "checkov"
TAGS = {"owner": "o"}


def _resource(name, type_, props, references=None):
    return InventoryResource(
        urn=f"urn:pulumi:dev::demo::{type_}::{name}",
        type=type_,
        name=name,
        provider=type_.split(":")[0],
        parent=None,
        props=props,
        references=references or {},
    ).to_dict()


def _inventory(*resources, classification="phi"):
    return {
        "project": "demo",
        "stack": "dev",
        "config": {"allowedRegions": ["eu-central-1"], "dataClassification": classification},
        "resources": list(resources),
    }


BUCKET = "aws:s3/bucket:Bucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
ECR = "aws:ecr/repository:Repository"


def _pulumi_equivalent():
    good = _resource("good", BUCKET, {"bucket": "good", "tags": TAGS})
    return [
        good,
        _resource(
            "good",
            VERSIONING,
            {"bucket": "good", "versioningConfiguration": {"status": "Enabled"}},
            {"/bucket": good["urn"]},
        ),
        _resource("bad", BUCKET, {"bucket": "bad", "tags": TAGS}),
        _resource(
            "good",
            ECR,
            {
                "name": "good",
                "imageTagMutability": "IMMUTABLE",
                "imageScanningConfiguration": {"scanOnPush": True},
                "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": "k"}],
            },
        ),
        _resource("bad", ECR, {"name": "bad", "imageTagMutability": "MUTABLE"}),
    ]


def _results_by_address(path):
    out: dict[str, dict[str, str]] = {}
    for record in checkov_worker.run("terraform_plan", path):
        if record["result"] != "SKIPPED":
            out.setdefault(record["resource"], {})[record["check_id"]] = record["result"]
    return out


def test_converted_plan_gives_checkovs_results_of_the_hand_written_terraform_plan(tmp_path):
    plan = to_terraform_plan(_pulumi_equivalent())
    path = tmp_path / "converted.json"
    path.write_text(json.dumps(plan.document))
    expected = _results_by_address(DATA / "s3_versioning.tfplan.json")
    converted = _results_by_address(path)
    assert converted == expected
    assert converted["aws_s3_bucket.good"]["CKV_AWS_21"] == "PASSED"
    assert converted["aws_s3_bucket.bad"]["CKV_AWS_21"] == "FAILED"
    assert converted["aws_ecr_repository.good"]["CKV_AWS_51"] == "PASSED"
    assert converted["aws_ecr_repository.bad"]["CKV_AWS_51"] == "FAILED"


def test_pulumi_names_become_terraform_names_and_maps_keep_their_keys():
    props = {
        "taints": [{"effect": "NO_SCHEDULE", "key": "nvidia.com/gpu"}],
        "scalingConfig": {"maxSize": 2, "minSize": "[unknown]"},
        "labels": {"medinfra.io/pool": "a100"},
        "tags": {"costCenter": "x"},
    }
    plan = to_terraform_plan([_resource("gpu", "aws:eks/nodeGroup:NodeGroup", props)])
    (resource,) = plan.document["planned_values"]["root_module"]["resources"]
    assert resource["values"] == {
        "taint": [{"effect": "NO_SCHEDULE", "key": "nvidia.com/gpu"}],
        "scaling_config": [{"max_size": 2}],
        "labels": {"medinfra.io/pool": "a100"},
        "tags": {"costCenter": "x"},
    }
    (change,) = plan.document["resource_changes"]
    assert change["change"]["after_unknown"] == {"scaling_config": [{"min_size": True}]}
    assert snake("serviceIpv4Cidr") == "service_ipv4_cidr"


def test_a_referenced_value_becomes_a_terraform_reference_to_the_right_address():
    plan = to_terraform_plan(_pulumi_equivalent())
    config = plan.document["configuration"]["root_module"]["resources"]
    (versioning,) = [c for c in config if c["type"] == "aws_s3_bucket_versioning"]
    assert versioning["expressions"]["bucket"]["references"][1] == "aws_s3_bucket.good"
    assert plan.urns["aws_s3_bucket.good"].endswith("aws:s3/bucket:Bucket::good")


def test_failed_checks_are_findings_on_the_pulumi_urn_with_controls(tmp_path):
    inv = _inventory(*_pulumi_equivalent())
    result = evaluate(inv, GateOptions(today=TODAY, waivers_file=tmp_path / "none.yaml"))
    ckv21 = [f for f in result.findings if f.id == "CKV_AWS_21"]
    assert [f.urn for f in ckv21] == [inv["resources"][2]["urn"]]
    (finding,) = ckv21
    assert finding.source == "checkov" and finding.enforcement == "mandatory"
    assert finding.resource_type == BUCKET and finding.controls["hipaa"]
    assert "checkov" in finding.remediation.lower() and finding.title
    assert result.decision == "block" and result.exit_code == 1
    assert result.timings["checkov_resources"] == 5 and "checkov_scan_s" in result.timings


def test_non_phi_stacks_get_advisory_checkov_findings(tmp_path):
    inv = _inventory(*_pulumi_equivalent(), classification="public")
    result = evaluate(inv, GateOptions(today=TODAY, waivers_file=tmp_path / "none.yaml"))
    assert {f.enforcement for f in result.findings if f.source == "checkov"} == {"advisory"}


def test_phi_stack_cannot_skip_a_control_family_check(tmp_path):
    inv = _inventory(*_pulumi_equivalent())
    inv["config"]["policy"] = {"checkov": {"skipChecks": ["CKV_AWS_21", "CKV2_AWS_62"]}}
    result = evaluate(inv, GateOptions(today=TODAY, waivers_file=tmp_path / "none.yaml"))
    (finding,) = result.findings
    assert result.exit_code == 3 and finding.id == "MED-GATE-CONFIG"
    assert "policy.checkov.skipChecks: CKV_AWS_21" in finding.message
    assert "CKV2_AWS_62" not in finding.message  # not a control-family check: may be skipped


def test_phi_stack_cannot_drop_control_checks_by_selecting_others(tmp_path):
    inv = _inventory(*_pulumi_equivalent())
    inv["config"]["policy"] = {"checkov": {"checks": ["CKV_AWS_1"]}}
    result = evaluate(inv, GateOptions(today=TODAY, waivers_file=tmp_path / "none.yaml"))
    (finding,) = result.findings
    assert result.exit_code == 3 and "policy.checkov.checks" in finding.message


def test_non_phi_stack_may_select_its_checks(tmp_path):
    inv = _inventory(*_pulumi_equivalent(), classification="public")
    inv["config"]["policy"] = {"checkov": {"checks": ["CKV_AWS_21"]}}
    result = evaluate(inv, GateOptions(today=TODAY, waivers_file=tmp_path / "none.yaml"))
    assert {f.id for f in result.findings if f.source == "checkov"} == {"CKV_AWS_21"}


def test_a_waiver_covers_a_checkov_finding_on_its_urn_only(tmp_path):
    inv = _inventory(*_pulumi_equivalent())
    bad = inv["resources"][2]["urn"]
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(json.dumps({"waivers": [{
        "rule": "CKV_AWS_21", "resource": bad, "stacks": "dev",
        "reason": "scratch bucket for a migration", "approved_by": "ciso",
        "ticket": "SEC-9", "expires": "2027-01-31"}]}))
    result = evaluate(inv, GateOptions(today=TODAY, waivers_file=waivers))
    (finding,) = [f for f in result.findings if f.id == "CKV_AWS_21"]
    assert finding.waiver["ticket"] == "SEC-9" and not finding.blocks


def test_checkov_raising_fails_closed(tmp_path):
    class Broken:
        def scan(self, resources, selection, timeout_s):
            raise runner.CheckovError("Checkov failed: RuntimeError: simulated")

    result = evaluate(
        _inventory(*_pulumi_equivalent()),
        GateOptions(today=TODAY, waivers_file=tmp_path / "none.yaml", checkov=Broken()),
    )
    assert result.exit_code == 3 and result.findings[0].id == "MED-GATE-ENGINE"
    assert "simulated" in result.findings[0].message


def test_an_exception_inside_checkov_fails_closed(monkeypatch):
    """The runner the worker calls (Checkov itself stubbed out: it is not in this process)."""

    def explode(*args, **kwargs):
        raise ValueError("parser blew up")

    monkeypatch.setattr(runner, "load_checkov", lambda: 0.0)
    monkeypatch.setattr(runner, "_checkov", {"filter": None})
    monkeypatch.setattr(runner, "to_terraform_plan", explode)
    with pytest.raises(runner.CheckovError, match="parser blew up"):
        runner.scan(_pulumi_equivalent(), timeout_s=60)


def test_checkov_exceeding_its_timeout_fails_closed(tmp_path):
    checkov_worker.checks()  # Checkov imported: the deadline is the scan's
    result = evaluate(
        _inventory(*[
            {**r, "urn": f"{r['urn']}-{i}"} for i in range(40) for r in _pulumi_equivalent()
        ]),
        GateOptions(today=TODAY, waivers_file=tmp_path / "none.yaml", checkov_timeout_s=0.001),
    )
    assert result.exit_code == 3 and result.findings[0].id == "MED-GATE-TIMEOUT"
    assert "Checkov" in result.findings[0].message


def _registered_checks(source: str) -> list[dict]:
    """The worker's registry listing: the checks whose class comes from `source`."""
    return [c for c in checkov_worker.checks() if c["module"].startswith(f"{source}.")]


def _our_check_modules() -> set[str]:
    from medinfra.policies.checkov_bridge import checks

    found = set()
    for package in checks.FRAMEWORKS:
        folder = REPO / "policies" / "checkov_bridge" / "checks" / package
        found |= {f"{checks.__name__}.{package}.{p.stem}" for p in folder.glob("[!_]*.py")}
    return found


def test_every_mapped_check_id_is_a_real_checkov_check():
    ours = {c["id"] for c in _registered_checks("medinfra")}
    builtin = {c["id"] for c in _registered_checks("checkov")}
    assert set(CONTROLS) - (builtin | ours) == set()
    assert ours and ours <= set(CONTROLS), "each of our checks serves a control family"


def test_our_checks_run_as_checkov_checks_and_cannot_collide_with_checkovs():
    from medinfra.policies.checkov_bridge import checks

    ours = _registered_checks("medinfra")
    builtin = {c["id"] for c in _registered_checks("checkov")}
    assert not any(i.startswith(checks.ID_PREFIX) for i in builtin)
    # Every check module of ours is registered, exactly once.
    assert sorted(c["module"] for c in ours) == sorted(_our_check_modules())
    assert len({c["id"] for c in ours}) == len(ours)
    for check in ours:
        assert check["id"].startswith(checks.ID_PREFIX) and check["id"] not in builtin
        # Registered in Checkov's registry under each entity it supports, once.
        assert check["kind"] == "resource" and check["entities"] == check["supported"]
        assert check["entities"]
        assert check["name"].startswith("Ensure ")
        page, _, anchor = check["guideline"].partition("#")
        text = (REPO / page).read_text()
        assert f"## {check['id']}" in text and anchor == check["id"].lower()


@pytest.mark.parametrize("token", sorted(ARM_TYPES))
def test_arm_api_version_is_the_one_the_sdk_module_uses(token):
    import importlib.util

    _, module, name = token.split(":")
    file = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    spec = importlib.util.find_spec(f"pulumi_azure_native.{module}.{file}")
    text = open(spec.origin, encoding="utf-8").read()
    version = re.search(r"Uses Azure REST API version ([0-9a-z-]+)\.", text).group(1)
    assert ARM_TYPES[token].api_version == version
    assert f"'{token}'" in text


_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.just("[unknown]")
_json = st.recursive(
    _leaf,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "urn": st.sampled_from(["u1", "u2", "u3"]),
                "type": st.sampled_from(
                    [BUCKET, VERSIONING, ECR, "azure-native:storage:StorageAccount",
                     "kubernetes:serving.kserve.io/v1beta1:InferenceService",
                     "kubernetes:apps/v1:Deployment", "gcp:container/cluster:Cluster"]
                ),
                "name": _json,
                "props": _json,
                "references": st.dictionaries(st.text(max_size=8), st.sampled_from(["u1", "u2"])),
            }
        ),
        max_size=4,
    )
)
def test_converters_never_crash_and_stay_json(resources):
    from medinfra.policies.checkov_bridge.arm import to_arm_template
    from medinfra.policies.checkov_bridge.k8s import to_manifests

    plan = to_terraform_plan(resources)
    json.dumps(plan.document)
    json.dumps(to_arm_template(resources).document)
    for document in to_manifests(resources).documents:
        json.dumps(document)
        annotations = (document.get("metadata") or {}).get("annotations") or {}
        assert not any("checkov.io/skip" in k for k in annotations)
    assert set(plan.urns.values()) <= {"u1", "u2", "u3"}


def test_checkov_skip_annotations_do_not_suppress_a_check():
    deployment = _resource(
        "api",
        "kubernetes:apps/v1:Deployment",
        {
            "metadata": {"name": "api", "namespace": "models",
                         "annotations": {"checkov.io/skip1": "CKV_K8S_16=trust me"}},
            "spec": {"template": {"spec": {"containers": [
                {"name": "c", "image": "r/i@sha256:" + "a" * 64,
                 "securityContext": {"privileged": True}}]}}},
        },
    )
    scan = checkov_worker.scan([deployment], timeout_s=120)
    assert ("CKV_K8S_16", deployment["urn"]) in {(r.check_id, r.urn) for r in scan.failed}


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        (
            "checkov-aws",
            {
                "aws:s3/bucket:Bucket::unversioned": "CKV_AWS_21",
                "aws:eks/cluster:Cluster::plain-secrets": "CKV_AWS_58",
                "aws:ecr/repository:Repository::mutable": "CKV_AWS_51",
            },
        ),
        (
            "checkov-multicloud",
            {
                # Checkov has no ARM check for it: our CKV_AZURE_190 port (policies/.../checks).
                "azure-native:storage:StorageAccount::publicblobs": "CKV_MED_AZURE_1",
                "gcp:container/cluster:Cluster::abac": "CKV_GCP_7",
                "kubernetes:serving.kserve.io/v1beta1:InferenceService::privileged": "CKV_K8S_16",
            },
        ),
    ],
)
def test_noncompliant_examples_fail_the_expected_checks_on_their_urns(cli, example, expected):
    result = cli("preview", "--dir", str(REPO / "examples" / example), "--stack", "dev",
                 "--format", "json")
    assert result.code == 1, result.stderr
    report = result.json()
    found = {(f["id"], f["urn"].split("::", 2)[2]) for f in report["findings"]}
    for urn_tail, check in expected.items():
        assert (check, urn_tail) in found
        (finding,) = [f for f in report["findings"]
                      if f["id"] == check and f["urn"].endswith(urn_tail)]
        assert finding["source"] == "checkov" and finding["enforcement"] == "mandatory"
    assert report["timings"]["checkov_scan_s"] > 0 and "checkov_import_s" in report["timings"]


def test_committed_sdk_maps_match_the_provider_sdks():
    from medinfra.policies.checkov_bridge import sdk_maps
    from medinfra.policies.checkov_bridge.types import SDK_MAPS_FILE

    assert json.loads(SDK_MAPS_FILE.read_text()) == sdk_maps.compute()


def test_every_renamed_property_is_one_the_sdk_declares():
    from medinfra.policies.checkov_bridge.tfplan import snake
    from medinfra.policies.checkov_bridge.types import TF_RENAMES, TF_TYPES

    from tests.sdk_schema import input_names

    tokens = {tf: token for token, tf in TF_TYPES.items()}
    for tf_type, renames in TF_RENAMES.items():
        declared = {snake(n) for n in input_names(tokens[tf_type])}
        top = {path.split(".")[0] for path in renames}
        assert top <= declared, (tf_type, top - declared)


def test_a_non_phi_stack_can_make_a_checkov_check_mandatory(tmp_path):
    inv = _inventory(*_pulumi_equivalent(), classification="public")
    inv["config"]["policy"] = {"enforcement": {"CKV_AWS_21": "mandatory"}}
    result = evaluate(inv, GateOptions(today=TODAY, waivers_file=tmp_path / "none.yaml"))
    assert {f.enforcement for f in result.findings if f.id == "CKV_AWS_21"} == {"mandatory"}
    assert result.decision == "block"


STORAGE = "azure-native:storage:StorageAccount"


def _storage_account(name, **overrides):
    """azure-native inputs of the account the hand-written ARM fixture describes."""
    props = {
        "accountName": name, "resourceGroupName": "rg", "location": "westeurope",
        "sku": {"name": "Standard_ZRS"}, "kind": "StorageV2", "minimumTlsVersion": "TLS1_2",
        "allowBlobPublicAccess": False, "publicNetworkAccess": "Disabled",
        "allowSharedKeyAccess": False, "enableHttpsTrafficOnly": True,
        "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices"},
        "encryption": {"keySource": "Microsoft.Keyvault", "requireInfrastructureEncryption": True,
                       "keyVaultProperties": {"keyName": "data",
                                              "keyVaultUri": "https://v.vault.azure.net"}},
    }
    return _resource(name, STORAGE, {**props, **overrides})


def _arm_results(path):
    out: dict[str, dict[str, str]] = {}
    for record in checkov_worker.run("arm", path):
        if record["result"] != "SKIPPED":
            name = record["resource"].rsplit(".", 1)[-1]
            out.setdefault(name, {})[record["check_id"]] = record["result"]
    return out


def test_converted_storage_account_gives_checkovs_results_of_the_hand_written_arm(tmp_path):
    from medinfra.policies.checkov_bridge.arm import to_arm_template

    resources = [
        _storage_account("good"),
        _storage_account("bad", minimumTlsVersion="TLS1_0", allowBlobPublicAccess=True,
                         enableHttpsTrafficOnly=False, networkRuleSet={"defaultAction": "Allow"}),
    ]
    path = tmp_path / "converted.json"
    path.write_text(json.dumps(to_arm_template(resources).document))
    converted = _arm_results(path)
    expected = _arm_results(DATA / "storage_account.arm.json")
    assert converted == expected
    # azure-native renames (networkRuleSet, enableHttpsTrafficOnly) reach Checkov's ARM names.
    for check in ("CKV_AZURE_35", "CKV_AZURE_3", "CKV_AZURE_44"):
        assert (converted["good"][check], converted["bad"][check]) == ("PASSED", "FAILED")


@pytest.mark.parametrize(
    ("allow", "expected"),
    [(False, "PASSED"), (True, "FAILED"), (None, "FAILED")],
    ids=["disallowed", "allowed", "missing"],
)
def test_a_storage_account_allowing_public_blob_access_fails_our_arm_check(allow, expected):
    account = _storage_account("blobs", allowBlobPublicAccess=allow)
    if allow is None:
        del account["props"]["allowBlobPublicAccess"]
    scan = checkov_worker.scan([account], timeout_s=120)
    (result,) = [r for r in scan.results if r.check_id == "CKV_MED_AZURE_1"]
    assert (result.result, result.urn, result.framework) == (expected, account["urn"], "arm")
    assert result.guideline == "docs/checkov-custom-checks.md#ckv_med_azure_1"


def test_public_blob_access_is_a_mandatory_finding_on_a_phi_stack(tmp_path):
    inv = _inventory(_storage_account("blobs", allowBlobPublicAccess=True))
    result = evaluate(inv, GateOptions(today=TODAY, waivers_file=tmp_path / "none.yaml"))
    (finding,) = [f for f in result.findings if f.id == "CKV_MED_AZURE_1"]
    assert finding.source == "checkov" and finding.enforcement == "mandatory"
    assert finding.urn == inv["resources"][0]["urn"] and finding.controls["hipaa"]
    assert "docs/checkov-custom-checks.md" in finding.remediation
    assert result.decision == "block"


def test_our_check_ids_are_waivable_and_overridable_like_checkovs(tmp_path):
    inv = _inventory(_storage_account("blobs", allowBlobPublicAccess=True),
                     classification="public")
    inv["config"]["policy"] = {"enforcement": {"CKV_MED_AZURE_1": "mandatory"}}
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(json.dumps({"waivers": [{
        "rule": "CKV_MED_AZURE_1", "resource": inv["resources"][0]["urn"], "stacks": "dev",
        "reason": "public static assets for a demo", "approved_by": "ciso",
        "ticket": "SEC-10", "expires": "2027-01-31"}]}))
    result = evaluate(inv, GateOptions(today=TODAY, waivers_file=waivers))
    (finding,) = [f for f in result.findings if f.id == "CKV_MED_AZURE_1"]
    assert finding.enforcement == "mandatory" and finding.waiver["ticket"] == "SEC-10"
    assert not any(f.id == "MED-POLICY-001" for f in result.findings)
