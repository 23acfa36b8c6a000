"""`medinfra audit` against a real moto server holding the deployed aws-dev plan."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from medinfra.audit import gate_findings
from medinfra.audit.aws import AUDITED_TYPES
from medinfra.audit.aws_client import AwsClients, is_read
from medinfra.audit.base import AuditError, WriteRefused
from tests.audit.conftest import REGION, run_audit
from tests.audit.fault_proxy import FaultProxy
from tests.conftest import REPO


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _findings(findings) -> set[tuple[str, str, bool]]:
    return {(f["id"], _name(f["urn"]), bool(f["waiver"])) for f in findings}


def _cli(*args: str, env: dict, timeout: float = 300):
    return subprocess.run([sys.executable, "-m", "medinfra.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout,
                          env={**env, "PYTHONPATH": str(REPO)})


@pytest.fixture(scope="module")
def clean(deployed):
    return run_audit(deployed.planned, deployed.url)


def test_a_clean_deploy_audits_clean_with_no_drift(clean):
    assert [d.line() for d in clean.drift] == []
    assert clean.decision == "allow"
    assert clean.exit_code == 0


def test_the_live_inventory_gives_the_planned_findings(deployed, clean):
    planned = gate_findings(deployed.planned)
    audited = {r["urn"] for r in deployed.planned["resources"] if r["type"] in AUDITED_TYPES}
    expected = _findings(f.to_dict() for f in planned.findings if f.urn in audited)
    assert expected, "the plan has findings on audited resources to compare"
    assert _findings(clean.findings) == expected


def test_the_live_inventory_has_the_planned_shape(deployed, clean):
    planned = {r["urn"]: r for r in deployed.planned["resources"] if r["type"] in AUDITED_TYPES}
    live = {r["urn"]: r for r in clean.live.inventory["resources"]}
    assert set(live) == set(planned)
    for urn, resource in live.items():
        assert resource["type"] == planned[urn]["type"]
        assert set(resource["props"]) == set(planned[urn]["props"]), urn
    sse = [r for r in live.values() if r["type"].endswith("BucketServerSideEncryptionConfiguration")
           and r["name"] == "data"][0]
    key = sse["references"]["/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId"]
    assert _name(key) == "keys-data"
    # Real ids, not the planner's mock ones.
    assert sse["props"]["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] != (
        planned[sse["urn"]]["props"]["rules"][0]["applyServerSideEncryptionByDefault"][
            "kmsMasterKeyId"])


def test_the_audit_calls_only_read_apis(clean):
    assert len(clean.live.calls) > 50
    assert [c for c in clean.live.calls if not is_read(c.split(".", 1)[1])] == []
    services = {c.split(".", 1)[0] for c in clean.live.calls}
    assert {"s3", "kms", "ecr", "eks", "ec2", "iam", "logs",
            "resourcegroupstaggingapi", "sts"} <= services


def test_a_write_through_the_audit_session_is_refused_before_it_is_sent(deployed):
    clients = AwsClients(REGION, deployed.url, 1)
    with pytest.raises(WriteRefused) as refused:
        clients.call("s3", "put_bucket_versioning", Bucket="medinfra-aws-dev-data",
                     VersioningConfiguration={"Status": "Suspended"})
    assert refused.value.call == "s3.PutBucketVersioning"
    s3 = deployed.client("s3")
    assert s3.get_bucket_versioning(Bucket="medinfra-aws-dev-data")["Status"] == "Enabled"


@dataclass
class HandChange:
    """A console click: `change` does it, `undo` restores the deployed plan."""

    id: str
    change: Callable
    undo: Callable
    rule: str
    resource: str
    exit_code: int
    drift: str


def _cluster_vpc(d, public: bool):
    eks = d.client("eks")
    vpc = eks.describe_cluster(name="medinfra-aws-dev")["cluster"]["resourcesVpcConfig"]
    config = {"subnetIds": vpc["subnetIds"], "endpointPrivateAccess": True,
              "endpointPublicAccess": public}
    if public:
        config["publicAccessCidrs"] = ["0.0.0.0/0"]
    eks.update_cluster_config(name="medinfra-aws-dev", resourcesVpcConfig=config)


def _flow_log_group(d, kms: bool):
    logs = d.client("logs")
    name = "/medinfra/network/vpc-flow-logs"
    planned = [r for r in d.planned["resources"]
               if r["type"] == "aws:cloudwatch/logGroup:LogGroup" and r["props"]["name"] == name][0]
    key = d.live[planned["references"]["/kmsKeyId"]]["arn"]
    logs.delete_log_group(logGroupName=name)
    # moto has no DisassociateKmsKey: the group is recreated without its key instead.
    logs.create_log_group(logGroupName=name, tags=planned["props"]["tags"],
                          **({"kmsKeyId": key} if kms else {}))
    logs.put_retention_policy(logGroupName=name, retentionInDays=365)


def _key_id(d, purpose: str) -> str:
    aliases = d.client("kms").list_aliases()["Aliases"]
    alias = f"alias/medinfra-aws-dev-{purpose}"
    return [a["TargetKeyId"] for a in aliases if a["AliasName"] == alias][0]


def _role(d, logical: str) -> str:
    roles = d.client("iam").list_roles()["Roles"]
    return [r["RoleName"] for r in roles if r["RoleName"].startswith(logical + "-")][0]


WILD = json.dumps({"Version": "2012-10-17",
                   "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
REPO_NAME = "medinfra-aws-dev/models"
PAB = {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
       "RestrictPublicBuckets": True}

HAND_CHANGES = [
    HandChange(
        "versioning-suspended",
        lambda d: d.client("s3").put_bucket_versioning(
            Bucket="medinfra-aws-dev-data", VersioningConfiguration={"Status": "Suspended"}),
        lambda d: d.client("s3").put_bucket_versioning(
            Bucket="medinfra-aws-dev-data", VersioningConfiguration={"Status": "Enabled"}),
        "MED-INT-001", "data", 1, "/versioningConfiguration/status"),
    HandChange(
        "public-access-block-flag-off",
        lambda d: d.client("s3").put_public_access_block(
            Bucket="medinfra-aws-dev-models",
            PublicAccessBlockConfiguration={**PAB, "BlockPublicPolicy": False}),
        lambda d: d.client("s3").put_public_access_block(
            Bucket="medinfra-aws-dev-models", PublicAccessBlockConfiguration=PAB),
        "MED-NET-002", "models", 1, "/blockPublicPolicy"),
    HandChange(
        "key-rotation-off",
        lambda d: d.client("kms").disable_key_rotation(KeyId=_key_id(d, "secrets")),
        lambda d: d.client("kms").enable_key_rotation(KeyId=_key_id(d, "secrets")),
        "MED-KEY-001", "keys-secrets", 1, "/enableKeyRotation"),
    HandChange(
        "ecr-tags-mutable",
        lambda d: d.client("ecr").put_image_tag_mutability(
            repositoryName=REPO_NAME, imageTagMutability="MUTABLE"),
        lambda d: d.client("ecr").put_image_tag_mutability(
            repositoryName=REPO_NAME, imageTagMutability="IMMUTABLE"),
        "MED-INT-003", "registry", 4, "/imageTagMutability"),
    HandChange(
        "ecr-scan-on-push-off",
        lambda d: d.client("ecr").put_image_scanning_configuration(
            repositoryName=REPO_NAME, imageScanningConfiguration={"scanOnPush": False}),
        lambda d: d.client("ecr").put_image_scanning_configuration(
            repositoryName=REPO_NAME, imageScanningConfiguration={"scanOnPush": True}),
        "MED-INT-003", "registry", 4, "/imageScanningConfiguration/scanOnPush"),
    HandChange(
        "eks-public-endpoint-open-to-the-internet",
        lambda d: _cluster_vpc(d, public=True),
        lambda d: _cluster_vpc(d, public=False),
        "MED-NET-001", "cluster", 1, "/vpcConfig/endpointPublicAccess"),
    HandChange(
        "log-group-without-kms",
        lambda d: _flow_log_group(d, kms=False),
        lambda d: _flow_log_group(d, kms=True),
        "MED-ENC-005", "network-flow-logs", 4, "/kmsKeyId"),
    HandChange(
        "extra-inline-policy-with-wildcards",
        lambda d: d.client("iam").put_role_policy(
            RoleName=_role(d, "cluster-nodes"), PolicyName="console-hotfix", PolicyDocument=WILD),
        lambda d: d.client("iam").delete_role_policy(
            RoleName=_role(d, "cluster-nodes"), PolicyName="console-hotfix"),
        "MED-IAM-001", "unplanned:{role}/console-hotfix", 1, ""),
    HandChange(
        "admin-policy-attached",
        lambda d: d.client("iam").attach_role_policy(
            RoleName=_role(d, "cluster-nodes"),
            PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"),
        lambda d: d.client("iam").detach_role_policy(
            RoleName=_role(d, "cluster-nodes"),
            PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"),
        "MED-IAM-001", "unplanned:{role}/AdministratorAccess", 1, ""),
]


@pytest.mark.parametrize("hand", HAND_CHANGES, ids=[h.id for h in HAND_CHANGES])
def test_a_hand_change_is_reported_with_its_rule_and_exit_code(deployed, hand):
    hand.change(deployed)
    try:
        result = run_audit(deployed.planned, deployed.url)
    finally:
        hand.undo(deployed)
    resource = hand.resource.format(role=_role(deployed, "cluster-nodes"))
    new = [f for f in result.findings if not f["waiver"]]
    assert (hand.rule, resource) in {(f["id"], _name(f["urn"])) for f in new}, result.text()
    assert result.exit_code == hand.exit_code, result.text()
    if hand.drift:
        changed = {(_name(d.urn), d.path) for d in result.drift if d.kind == "changed"}
        assert (hand.resource, hand.drift) in changed, result.text()
    else:
        assert {(d.kind, _name(d.urn)) for d in result.drift} == {("unexpected", resource)}


def test_after_undoing_the_hand_changes_the_audit_is_clean_again(deployed):
    result = run_audit(deployed.planned, deployed.url)
    assert [d.line() for d in result.drift] == [] and result.exit_code == 0


def test_a_deleted_resource_is_drift_without_a_violation(deployed):
    ecr = deployed.client("ecr")
    policy = ecr.get_lifecycle_policy(repositoryName=REPO_NAME)["lifecyclePolicyText"]
    ecr.delete_lifecycle_policy(repositoryName=REPO_NAME)
    try:
        result = run_audit(deployed.planned, deployed.url)
    finally:
        ecr.put_lifecycle_policy(repositoryName=REPO_NAME, lifecyclePolicyText=policy)
    assert [(d.kind, d.type, _name(d.urn)) for d in result.drift] == [
        ("missing", "aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry")]
    assert result.decision == "allow"
    assert result.exit_code == 4


def test_an_unplanned_tagged_bucket_is_unexpected_and_judged(deployed):
    s3 = deployed.client("s3")
    s3.create_bucket(Bucket="medinfra-aws-dev-scratch")
    s3.put_bucket_tagging(Bucket="medinfra-aws-dev-scratch",
                          Tagging={"TagSet": [{"Key": "stack", "Value": "medinfra-aws-dev"}]})
    try:
        result = run_audit(deployed.planned, deployed.url)
    finally:
        s3.delete_bucket(Bucket="medinfra-aws-dev-scratch")
    scratch = "unplanned:medinfra-aws-dev-scratch"
    assert [(d.kind, _name(d.urn)) for d in result.drift] == [("unexpected", scratch)]
    # Judged like a planned one: moto's new bucket is unencrypted, unversioned, not blocked.
    ids = {f["id"] for f in result.findings if _name(f["urn"]) == scratch}
    assert {"MED-ENC-001", "MED-INT-001", "MED-NET-002"} <= ids, result.text()
    assert result.exit_code == 1


def _versioning_call(method, path, headers, body) -> bool:
    return method == "GET" and path.endswith("?versioning")


def _rotation_call(method, path, headers, body) -> bool:
    return headers.get("X-Amz-Target", "").endswith("GetKeyRotationStatus")


@pytest.mark.parametrize(("match", "status", "code", "call"), [
    (_versioning_call, 503, "SlowDown", "s3.GetBucketVersioning"),
    (_rotation_call, 400, "ThrottlingException", "kms.GetKeyRotationStatus"),
    (_rotation_call, 500, "InternalFailure", "kms.GetKeyRotationStatus"),
], ids=["s3-slowdown", "kms-throttling", "kms-500"])
def test_throttling_and_server_errors_end_the_audit_after_retries(deployed, match, status,
                                                                  code, call):
    proxy = FaultProxy(deployed.url)
    try:
        proxy.fail(match, status, code)
        with pytest.raises(AuditError) as failed:
            run_audit(deployed.planned, proxy.url, max_attempts=3)
    finally:
        proxy.close()
    assert failed.value.call == call
    assert code in failed.value.reason and "after 3 attempts" in failed.value.reason
    assert proxy.hits == 3


def test_the_command_plans_the_stack_audits_the_emulator_and_writes_json_and_sarif(
    deployed, aws_env, tmp_path
):
    sarif = tmp_path / "live.sarif"
    run = _cli("audit", "--stack", "aws-dev", "--endpoint-url", deployed.url,
               "--format", "json", "--sarif", str(sarif), env=aws_env)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["decision"] == "allow" and report["drift"] == [] and report["exit_code"] == 0
    assert report["not_audited"]["aws:ec2/route:Route"] == 3
    assert report["not_audited"]["kubernetes:serving.kserve.io/v1beta1:InferenceService"] == 1
    document = json.loads(sarif.read_text())
    assert document["version"] == "2.1.0"
    # Waived results are in the SARIF too.
    assert {r["ruleId"] for r in document["runs"][0]["results"]} >= {"CKV2_AWS_62"}


def test_the_command_fails_closed_naming_the_throttled_call(deployed, plan_file, aws_env):
    proxy = FaultProxy(deployed.url)
    try:
        proxy.fail(_versioning_call, 503, "SlowDown")
        run = _cli("audit", "--stack", "aws-dev", "--plan", str(plan_file), "--endpoint-url",
                   proxy.url, "--max-attempts", "2", env=aws_env)
    finally:
        proxy.close()
    assert run.returncode == 3
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        "medinfra: audit could not complete (fail closed): s3.GetBucketVersioning: SlowDown: "
        "injected by the test proxy (after 2 attempts)"]


def test_the_live_stack_is_judged_with_the_organisation_policy_pack_config(
    deployed, plan_file, aws_env, tmp_path
):
    """The same settings and levels as for the plan: an organisation that keeps logs ten years
    and makes MED-LOG-004 (advisory by default) mandatory turns the (otherwise clean) aws-dev
    deployment's one-year log groups into a live violation."""
    config = tmp_path / "policy-pack-config.json"
    config.write_text(json.dumps({"MED-LOG-004": "mandatory",
                                  "medinfra-settings": {"logRetentionDays": 3653}}))
    run = _cli("audit", "--stack", "aws-dev", "--plan", str(plan_file), "--endpoint-url",
               deployed.url, "--format", "json", "--policy-pack-config", str(config),
               "--gate-timeout", "120",  # a loaded machine: the decision, not the speed
               env=aws_env)
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    blocking = {f["id"] for f in report["findings"] if f["enforcement"] == "mandatory"
                and not f["waiver"]}
    assert blocking == {"MED-LOG-004"}
    retention = [f["message"] for f in report["findings"] if f["id"] == "MED-LOG-004"]
    assert retention and all("keeps logs 365 days, less than 3653" in m for m in retention)
