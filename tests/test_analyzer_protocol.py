"""The policy pack, driven over the CrossGuard analyzer protocol exactly as the Pulumi CLI does."""

from __future__ import annotations

import copy
import json
import subprocess
import time
from pathlib import Path

import pulumi_policy.policy as policy_module
import pytest
from google.protobuf import empty_pb2, struct_pb2
from medinfra.policies import pack, pulumi_policy_patches, stack_inventory, violations
from medinfra.policies.findings import Finding
from medinfra.policies.gate import evaluate
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, StackValidationPolicy

from medinfra.analyzer_client import (
    AnalyzerError,
    analyze_over_protocol,
    analyze_stack_request,
    findings_from_response,
)

PROJECT, STACK = "medinfra", "aws-test"
TAGS = {
    "owner": "ml-platform",
    "costCenter": "cc-42",
    "environment": "test",
    "dataClassification": "phi",
}


def urn(type_: str, name: str, parents: str = "") -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{parents}{type_}::{name}"


STACK_URN = urn("pulumi:pulumi:Stack", "medinfra-aws-test")
PROVIDER_URN = urn("pulumi:providers:aws", "aws-us-east-1")
KEY = urn("aws:kms/key:Key", "data-key")
PHI = urn("aws:s3/bucket:Bucket", "phi")
SSE = urn(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "phi-sse",
)
SCRATCH = urn("aws:s3/bucket:Bucket", "scratch")
GPU = urn("aws:eks/cluster:Cluster", "gpu")
ACCESS_LOGS = urn(
    "aws:s3/bucket:Bucket",
    "access-logs",
    "medinfra:platform:Platform$medinfra:aws:AccessLogBucket$",
)


def resource(
    urn_: str,
    props: dict,
    *,
    provider: str | None = "aws",
    parent: str = STACK_URN,
    dependencies=(),
    unknowns=(),
    secrets=(),
    references=None,
) -> dict:
    type_, name = urn_.split("::")[2].split("$")[-1], urn_.split("::")[3]
    return {
        "urn": urn_,
        "type": type_,
        "name": name,
        "provider": provider,
        "parent": parent,
        "dependencies": sorted(dependencies),
        "props": props,
        "unknowns": list(unknowns),
        "secrets": list(secrets),
        "references": dict(references or {}),
    }


KEY_PROPS = {
    "enableKeyRotation": True,
    "rotationPeriodInDays": 90,
    "deletionWindowInDays": 30,
    "policy": json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                        "Action": "kms:*", "Resource": "*"}]}
    ),
}
#: What the catalogue requires of an EKS cluster besides a private endpoint.
CLUSTER_BASELINE = {
    "accessConfig": {"authenticationMode": "API"},
    "enabledClusterLogTypes": ["api", "audit", "authenticator"],
    "encryptionConfig": {"provider": {"keyArn": "[unknown]"}, "resources": ["secrets"]},
}


def bucket_baseline(bucket_urn: str, name: str) -> list[dict]:
    """What the catalogue requires of a PHI bucket besides encryption (as DataStore does)."""
    deny_http = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    parts = {
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
            "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
            "restrictPublicBuckets": True},
        "aws:s3/bucketPolicy:BucketPolicy": {"policy": json.dumps({"Statement": [deny_http]})},
        "aws:s3/bucketVersioning:BucketVersioning": {
            "versioningConfiguration": {"status": "Enabled"}},
        "aws:s3/bucketLogging:BucketLogging": {"targetBucket": "central-logs"},
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": {
            "objectLockEnabled": "Enabled", "rule": {"defaultRetention": {"days": 2190}}},
    }
    return [
        resource(urn(type_, name), {"bucket": name, **props}, references={"/bucket": bucket_urn})
        for type_, props in parts.items()
    ]


def compliant_inventory() -> dict:
    """A private EKS cluster and a bucket encrypted with a rotating KMS key of the plan."""
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/k-1"
    return {
        "project": PROJECT,
        "stack": STACK,
        "config": {
            "environment": "test",
            "dataClassification": "phi",
            "allowedRegions": ["us-east-1"],
            "dbPassword": "[secret]",
        },
        "resources": [
            resource(STACK_URN, {}, provider=None, parent=None),
            resource(PROVIDER_URN, {"region": "us-east-1"}),
            resource(KEY, {**KEY_PROPS, "tags": TAGS}),
            resource(PHI, {"bucket": "phi-7f3a", "objectLockEnabled": True, "tags": TAGS}),
            *bucket_baseline(PHI, "phi-7f3a"),
            resource(
                SSE,
                {
                    "bucket": "phi-7f3a",
                    "rules": [
                        {
                            "applyServerSideEncryptionByDefault": {
                                "kmsMasterKeyId": key_arn,
                                "sseAlgorithm": "aws:kms",
                            },
                            "bucketKeyEnabled": True,
                        }
                    ],
                },
                dependencies=[KEY, PHI],
                references={
                    "/bucket": PHI,
                    "/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId": KEY,
                },
            ),
            resource(
                GPU.replace("::gpu", "::private"),
                {
                    "name": "private",
                    "tags": TAGS,
                    **CLUSTER_BASELINE,
                    "vpcConfig": {
                        "endpointPrivateAccess": True,
                        "endpointPublicAccess": False,
                        "subnetIds": ["[unknown]", "subnet-2"],
                    },
                    "enabledClusterLogTypes": [
                        "api", "audit", "authenticator", "controllerManager", "scheduler"
                    ],
                    "encryptionConfig": {"provider": {"keyArn": key_arn}, "resources": ["secrets"]},
                },
                unknowns=["/vpcConfig/subnetIds/0"],
                references={"/encryptionConfig/provider/keyArn": KEY},
            ),
            resource(
                urn("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "private"),
                {"url": "[unknown]", "clientIdLists": ["sts.amazonaws.com"], "tags": TAGS},
                unknowns=["/url"],
                references={"/url": GPU.replace("::gpu", "::private")},
            ),
            # What Checkov also requires of the bucket: versioning, public access block, logs.
            resource(
                urn("aws:s3/bucketVersioning:BucketVersioning", "phi"),
                {"bucket": "phi-7f3a", "versioningConfiguration": {"status": "Enabled"}},
                references={"/bucket": PHI},
            ),
            resource(
                urn("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "phi"),
                {
                    "bucket": "phi-7f3a",
                    "blockPublicAcls": True,
                    "blockPublicPolicy": True,
                    "ignorePublicAcls": True,
                    "restrictPublicBuckets": True,
                },
                references={"/bucket": PHI},
            ),
            resource(
                urn("aws:s3/bucketLogging:BucketLogging", "phi"),
                {"bucket": "phi-7f3a", "targetBucket": "logs-1", "targetPrefix": "phi/"},
                references={"/bucket": PHI},
            ),
        ],
    }


def noncompliant_inventory() -> dict:
    """The compliant plan plus an unencrypted, untagged bucket with a secret and an unknown
    property, an EKS cluster open to the internet, and a bucket covered by the SEC-120 waiver
    (CKV2_AWS_62)."""
    inventory = compliant_inventory()
    inventory["resources"] += [
        resource(
            SCRATCH,
            {
                "bucket": "scratch-1",
                "forceDestroy": "[unknown]",
                "policy": "[secret]",
                "tags": {"owner": "ml-platform"},
            },
            unknowns=["/forceDestroy"],
            secrets=["/policy"],
        ),
        resource(
            GPU,
            {
                "name": "gpu",
                "tags": TAGS,
                "roleArn": "[secret]",
                "vpcConfig": {"endpointPublicAccess": True, "subnetIds": ["subnet-1"]},
            },
            secrets=["/roleArn"],
        ),
        resource(ACCESS_LOGS, {"bucket": "logs-1", "tags": TAGS}),
    ]
    return inventory


def gate_findings(inventory: dict) -> list[dict]:
    return [f.to_dict() for f in evaluate(inventory).findings]


@pytest.fixture
def launched(monkeypatch):
    """Every process the client starts, so a test can check that none outlives the call."""
    procs: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        proc = real_popen(*args, **kwargs)
        procs.append(proc)
        return proc

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    return procs


def write_pack(directory: Path, main: str) -> Path:
    directory.mkdir()
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\nname: broken\nversion: 0.0.1\n")
    (directory / "__main__.py").write_text(main)
    return directory


def test_findings_over_the_protocol_are_exactly_the_gates(launched):
    inventory = noncompliant_inventory()
    expected = gate_findings(inventory)  # in this process (its own Checkov worker stays up)
    own = len(launched)
    found = analyze_over_protocol(inventory, timeout=60)
    assert found == expected
    by_rule = {(f["id"], f["urn"]): f for f in found}
    assert by_rule[("MED-ENC-001", SCRATCH)]["enforcement"] == "mandatory"
    assert by_rule[("MED-NET-001", GPU)]["waiver"] is None
    assert by_rule[("CKV2_AWS_62", ACCESS_LOGS)]["waiver"]["ticket"] == "SEC-120"
    assert ("MED-ENC-001", PHI) not in by_rule
    # One pack launched, and nothing the call started outlives it.
    assert all(p.poll() is not None for p in launched[own:])
    assert sum("pulumi.policy" in p.args for p in launched[own:]) == 1


def test_a_compliant_plan_has_no_blocking_finding_over_the_protocol(launched):
    inventory = compliant_inventory()
    found = analyze_over_protocol(inventory, timeout=60)
    assert found == gate_findings(inventory)
    assert not [f for f in found if f["enforcement"] == "mandatory" and f["waiver"] is None]
    # One pack launched, and nothing outlives the call (Checkov's import runs `git version`).
    assert all(p.poll() is not None for p in launched)
    assert sum("pulumi.policy" in p.args for p in launched) == 1


def test_a_pack_that_fails_at_import_is_an_analyzer_error_at_once(tmp_path, launched):
    pack = write_pack(tmp_path / "pack", "raise RuntimeError('the pack is broken')\n")
    started = time.monotonic()
    with pytest.raises(AnalyzerError, match="exited") as caught:
        analyze_over_protocol(compliant_inventory(), pack_dir=pack, timeout=60)
    # Detected from the exit, not from the 60 s timeout (generous bound: CI machines are slow).
    assert time.monotonic() - started < 45
    assert "the pack is broken" in str(caught.value)
    # One pack launched, and nothing outlives the call (Checkov's import runs `git version`).
    assert all(p.poll() is not None for p in launched)
    assert sum("pulumi.policy" in p.args for p in launched) == 1


def test_a_pack_that_never_serves_is_killed_after_the_timeout(tmp_path, launched):
    pack = write_pack(
        tmp_path / "pack",
        (
            "import signal, time\n"
            "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"  # only SIGKILL can stop it
            "time.sleep(600)\n"
        ),
    )
    started = time.monotonic()
    with pytest.raises(AnalyzerError, match="did not start serving"):
        analyze_over_protocol(compliant_inventory(), pack_dir=pack, timeout=2)
    # Killed near the 2 s timeout instead of sleeping 600 s (generous bound for slow machines).
    assert time.monotonic() - started < 30
    # One pack launched, and nothing outlives the call (Checkov's import runs `git version`).
    assert all(p.poll() is not None for p in launched)
    assert sum("pulumi.policy" in p.args for p in launched) == 1


@pytest.fixture
def pack_servicer(monkeypatch):
    """The pack's analyzer in-process (no gRPC), with pulumi-policy restored afterwards."""
    monkeypatch.setattr(
        policy_module, "deserialize_properties", policy_module.deserialize_properties
    )
    for method in ("ConfigureStack", "Configure", "AnalyzeStack"):
        monkeypatch.setattr(
            policy_module._PolicyAnalyzerServicer,
            method,
            getattr(policy_module._PolicyAnalyzerServicer, method),
        )
    monkeypatch.setattr(pulumi_policy_patches, "_configured", None)
    for name in ("PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_CONFIG"):
        monkeypatch.delenv(name, raising=False)

    def make(policies=None):
        policies = policies if policies is not None else pack.build_policies()
        pulumi_policy_patches.keep_secrets_marked()
        return policy_module._PolicyAnalyzerServicer(
            violations.PACK_NAME, "0.0.1", policies, EnforcementLevel.MANDATORY
        )

    return make


def capture_inventory(pack_servicer, request) -> dict:
    seen = {}

    def validate(args, report_violation):
        seen["inventory"] = stack_inventory.inventory_from_stack_args(
            args, PROJECT, STACK, compliant_inventory()["config"]
        )

    policy = StackValidationPolicy("capture", "captures the Inventory", validate)
    pack_servicer([policy]).AnalyzeStack(request, None)
    return seen["inventory"]


def test_the_pack_builds_the_inventory_once_per_analyze_stack_call(pack_servicer, monkeypatch):
    built = []
    real = pack.inventory_from_stack_args

    def counted(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pack, "inventory_from_stack_args", counted)
    servicer = pack_servicer()
    request = analyze_stack_request(noncompliant_inventory())
    first = servicer.AnalyzeStack(request, None)
    second = servicer.AnalyzeStack(request, None)
    # Once per call, although every one of the pack's 40-odd stack policies asks for it.
    assert len(built) == 2
    assert len(first.diagnostics) > 0 and list(first.diagnostics) == list(second.diagnostics)


def test_the_inventory_survives_the_protocol_round_trip(pack_servicer):
    inventory = noncompliant_inventory()
    rebuilt = capture_inventory(pack_servicer, analyze_stack_request(inventory))
    assert rebuilt == inventory


def test_secret_values_from_the_engine_never_reach_the_inventory(pack_servicer):
    props = struct_pb2.Struct()
    props.update(
        {
            "masterPassword": {rpc._special_sig_key: rpc._special_secret_sig, "value": "hunter2"},
            "endpoint": rpc.UNKNOWN,
            "tags": {"owner": "a"},
        }
    )
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type="aws:rds/instance:Instance",
                urn=urn("aws:rds/instance:Instance", "db"),
                name="db",
                properties=props,
            )
        ]
    )
    inventory = capture_inventory(pack_servicer, request)
    (db,) = inventory["resources"]
    assert "hunter2" not in json.dumps(inventory)
    assert db["props"] == {
        "endpoint": "[unknown]",
        "masterPassword": "[secret]",
        "tags": {"owner": "a"},
    }
    assert (db["secrets"], db["unknowns"]) == (["/masterPassword"], ["/endpoint"])


def test_without_secret_marking_the_pack_blocks_instead_of_reading_props(pack_servicer):
    servicer = pack_servicer()
    policy_module.deserialize_properties = pulumi_policy_patches._ORIGINAL_DESERIALIZE
    response = servicer.AnalyzeStack(analyze_stack_request(compliant_inventory()), None)
    (diag,) = response.diagnostics
    _, _, finding = violations.decode_violation(diag.message)
    assert (diag.policyName, finding.id) == ("medinfra-gate", "MED-GATE-ANALYZER")
    assert diag.enforcementLevel == analyzer_pb2.MANDATORY


def test_a_rule_catalogue_that_does_not_load_blocks_through_the_gate_policy(
    pack_servicer, tmp_path
):
    servicer = pack_servicer(pack.build_policies(rules_dir=tmp_path))
    response = servicer.AnalyzeStack(analyze_stack_request(compliant_inventory()), None)
    (diag,) = response.diagnostics
    _, _, finding = violations.decode_violation(diag.message)
    assert (diag.policyName, finding.id) == ("medinfra-gate", "MED-GATE-RULES")
    assert diag.enforcementLevel == analyzer_pb2.MANDATORY


def test_a_violation_that_went_missing_is_an_analyzer_error(pack_servicer):
    servicer = pack_servicer()
    info = servicer.GetAnalyzerInfo(empty_pb2.Empty(), None)
    response = servicer.AnalyzeStack(analyze_stack_request(noncompliant_inventory()), None)
    assert len(findings_from_response(info, response)) == len(response.diagnostics) > 1
    del response.diagnostics[0]
    with pytest.raises(AnalyzerError, match="complete"):
        findings_from_response(info, response)


def test_rule_policies_carry_the_rules_compliance_metadata(pack_servicer):
    info = pack_servicer().GetAnalyzerInfo(empty_pb2.Empty(), None)
    policies = {p.name: p for p in info.policies}
    enc = policies["MED-ENC-001"]
    assert enc.enforcementLevel == analyzer_pb2.MANDATORY
    assert enc.severity == analyzer_pb2.POLICY_SEVERITY_HIGH
    assert (enc.framework.name, enc.framework.reference) == ("hipaa", "164.312(a)(2)(iv)")
    assert "gdpr:Art.32(1)(a)" in enc.tags
    assert "kms_master_key_id" in enc.remediation_steps
    assert policies["MED-TAG-001"].enforcementLevel == analyzer_pb2.ADVISORY
    assert policies["medinfra-gate"].enforcementLevel == analyzer_pb2.MANDATORY


def test_a_violation_message_rebuilds_its_finding_exactly():
    finding = Finding(
        id="MED-ENC-001",
        source="rego",
        title="t",
        severity="high",
        enforcement="mandatory",
        urn=ACCESS_LOGS,
        resource_type="aws:s3/bucket:Bucket",
        message="line one\nline two",
        remediation="fix it",
        controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": [], "cis": []},
        waiver={"ticket": "SEC-101", "expires": "2027-11-30", "approved_by": "x"},
    )
    message = violations.encode_violation(copy.deepcopy(finding), 2, 3)
    assert violations.decode_violation("A description\n" + message) == (2, 3, finding)
    with pytest.raises(ValueError):
        violations.decode_violation("A description\nno finding here")


# A resource whose provider is not configured yet (Kubernetes on a new cluster) has no outputs
# in a preview: AnalyzeStack shows it empty, Analyze showed its inputs, and the pack judges those.
POD = f"urn:pulumi:{STACK}::{PROJECT}::kubernetes:core/v1:Pod::privileged"


def _with_privileged_pod(no_outputs: bool) -> dict:
    inventory = compliant_inventory()
    pod = resource(POD, {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "privileged", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "x@sha256:" + "0" * 64,
                                 "securityContext": {"privileged": True}}]},
    })
    pod["provider"] = "kubernetes"
    if no_outputs:
        pod["no_outputs"] = True
    inventory["resources"].append(pod)
    return inventory


def _pod_findings(found: list[dict]) -> dict[str, str]:
    return {f["id"]: f["message"] for f in found if f["urn"] == POD}


def test_a_resource_without_outputs_is_judged_on_the_inputs_analyze_showed(launched):
    judged = _pod_findings(analyze_over_protocol(_with_privileged_pod(True), timeout=60))
    assert "is privileged" in judged["MED-HRD-002"]
    # The same as when its outputs are its inputs: nothing about the pod was lost.
    assert judged == _pod_findings(analyze_over_protocol(_with_privileged_pod(False), timeout=60))


def test_the_stack_analysis_shows_a_resource_without_outputs_empty():
    from medinfra.analyzer_client import analyze_requests, analyze_stack_request

    inventory = _with_privileged_pod(True)
    (stacked,) = [r for r in analyze_stack_request(inventory).resources if r.urn == POD]
    assert dict(stacked.properties) == {}
    (analyzed,) = [r for r in analyze_requests(inventory) if r.urn == POD]
    assert analyzed.properties["spec"]["containers"][0]["securityContext"]["privileged"] is True
    # The stack resource itself is never analyzed on its own, as by the engine.
    assert STACK_URN not in {r.urn for r in analyze_requests(inventory)}
