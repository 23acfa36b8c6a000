"""Audit paths moto cannot show, answered by botocore's Stubber as real AWS answers them.

moto's GetKeyRotationStatus leaves out RotationPeriodInDays (AWS reports it for every key
with rotation on), so on moto the period is carried from the plan and listed as not verified.
Here AWS's answer says 365 days, and the live key fails MED-KEY-001 (at most 90).
"""

from __future__ import annotations

import copy
import json

from botocore.stub import Stubber

from medinfra.audit import audit
from medinfra.audit.aws import AwsReader
from medinfra.audit.aws_client import AwsClients
from tests.audit.conftest import REGION

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:{REGION}:111122223333:key/{KEY_ID}"


def _keys_only(planned: dict) -> dict:
    doc = copy.deepcopy(planned)
    doc["resources"] = [r for r in doc["resources"]
                        if r["type"] in ("aws:kms/key:Key", "aws:kms/alias:Alias")
                        and r["name"] == "keys-data"]
    return doc


def _stubbed(planned: dict, rotation: dict) -> AwsClients:
    key = next(r for r in planned["resources"] if r["type"] == "aws:kms/key:Key")
    alias = next(r for r in planned["resources"] if r["type"] == "aws:kms/alias:Alias")
    # Nothing is sent anywhere: every call is answered by a Stubber (the port is closed).
    clients = AwsClients(REGION, "http://127.0.0.1:9", 1)
    sts = Stubber(clients.client("sts"))
    sts.add_response("get_caller_identity", {"Account": "111122223333", "Arn": "arn:aws:iam::"
                     "111122223333:user/auditor", "UserId": "AIDAEXAMPLE"})
    kms = Stubber(clients.client("kms"))
    kms.add_response("list_aliases", {"Aliases": [
        {"AliasName": alias["props"]["name"], "TargetKeyId": KEY_ID}]})
    kms.add_response("describe_key", {"KeyMetadata": {
        "KeyId": KEY_ID, "Arn": KEY_ARN, "KeyState": "Enabled", "KeySpec": "SYMMETRIC_DEFAULT",
        "KeyUsage": "ENCRYPT_DECRYPT", "Description": key["props"]["description"]}},
        {"KeyId": KEY_ID})
    kms.add_response("get_key_rotation_status", rotation, {"KeyId": KEY_ID})
    # The account's own policy names the account's own root.
    policy = key["props"]["policy"].replace("123456789012", "111122223333")
    kms.add_response("get_key_policy", {"Policy": policy},
                     {"KeyId": KEY_ID, "PolicyName": "default"})
    kms.add_response("list_resource_tags", {"Tags": [
        {"TagKey": k, "TagValue": v} for k, v in key["props"]["tags"].items()]},
        {"KeyId": KEY_ID})
    tagging = Stubber(clients.client("resourcegroupstaggingapi"))
    tagging.add_response("get_resources", {"ResourceTagMappingList": [
        {"ResourceARN": KEY_ARN}]})
    for stub in (sts, kms, tagging):
        stub.activate()
    return clients


def test_a_rotation_period_aws_reports_is_judged(dev):
    planned = _keys_only(dev.document)
    clients = _stubbed(planned, {"KeyRotationEnabled": True, "RotationPeriodInDays": 365})
    result = audit(planned, AwsReader(clients))
    key = next(r for r in result.live.inventory["resources"] if r["type"] == "aws:kms/key:Key")
    assert key["props"]["rotationPeriodInDays"] == 365
    assert ("MED-KEY-001", key["urn"]) in {(f["id"], f["urn"]) for f in result.findings}
    assert [(d.kind, d.path, d.planned, d.live) for d in result.drift] == [
        ("changed", "/rotationPeriodInDays", 90, 365)]
    assert result.exit_code == 1
    assert "/rotationPeriodInDays" not in {c.path for c in result.live.carried}


def test_a_rotation_period_the_api_leaves_out_is_carried_and_listed(dev):
    planned = _keys_only(dev.document)
    clients = _stubbed(planned, {"KeyRotationEnabled": True})
    result = audit(planned, AwsReader(clients))
    assert [(c.path, c.reason) for c in result.live.carried] == [
        ("/rotationPeriodInDays", "the API left this field out of its answer"),
        ("/deletionWindowInDays", "AWS does not report this setting (create-time or Pulumi-only)"),
    ]
    assert "Not verified, taken from the plan (2)" in result.text()
    assert json.loads(json.dumps(result.report()))["not_verified"][0]["path"] == (
        "/rotationPeriodInDays")
    assert result.exit_code == 0


CLUSTER_ARN = f"arn:aws:eks:{REGION}:111122223333:cluster/medinfra-aws-dev"
ISSUER = f"https://oidc.eks.{REGION}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"


def _cluster_only(planned: dict) -> dict:
    doc = copy.deepcopy(planned)
    doc["resources"] = [r for r in doc["resources"] if r["type"] in (
        "aws:eks/cluster:Cluster", "aws:iam/openIdConnectProvider:OpenIdConnectProvider")]
    return doc


def test_an_eks_cluster_switched_back_to_the_aws_auth_config_map_is_judged(dev):
    """moto's DescribeCluster has no accessConfig; AWS's has, and here it says CONFIG_MAP."""
    planned = _cluster_only(dev.document)
    cluster = next(r for r in planned["resources"] if r["type"] == "aws:eks/cluster:Cluster")
    p = cluster["props"]
    clients = AwsClients(REGION, "http://127.0.0.1:9", 1)
    sts = Stubber(clients.client("sts"))
    sts.add_response("get_caller_identity", {"Account": "111122223333"})
    eks = Stubber(clients.client("eks"))
    eks.add_response("describe_cluster", {"cluster": {
        "name": p["name"], "arn": CLUSTER_ARN, "version": p["version"],
        "roleArn": "arn:aws:iam::111122223333:role/cluster-cluster-1a2b3c4",
        "resourcesVpcConfig": {"subnetIds": ["subnet-0a", "subnet-0b"],
                               "endpointPrivateAccess": True, "endpointPublicAccess": False},
        "kubernetesNetworkConfig": p["kubernetesNetworkConfig"],
        "logging": {"clusterLogging": [{"types": p["enabledClusterLogTypes"], "enabled": True}]},
        "identity": {"oidc": {"issuer": ISSUER}},
        "encryptionConfig": [{"resources": ["secrets"], "provider": {
            "keyArn": f"arn:aws:kms:{REGION}:111122223333:key/secrets-key"}}],
        "tags": p["tags"],
        "accessConfig": {"authenticationMode": "CONFIG_MAP"},
    }}, {"name": p["name"]})
    iam = Stubber(clients.client("iam"))
    oidc_arn = f"arn:aws:iam::111122223333:oidc-provider/{ISSUER.removeprefix('https://')}"
    iam.add_response("get_open_id_connect_provider", {
        "Url": ISSUER.removeprefix("https://"), "ClientIDList": ["sts.amazonaws.com"],
        "ThumbprintList": ["9" * 40], "Tags": [
            {"Key": k, "Value": v} for k, v in p["tags"].items()]},
        {"OpenIDConnectProviderArn": oidc_arn})
    tagging = Stubber(clients.client("resourcegroupstaggingapi"))
    tagging.add_response("get_resources", {"ResourceTagMappingList": []})
    for stub in (sts, eks, iam, tagging):
        stub.activate()
    result = audit(planned, AwsReader(clients))
    found = {(f["id"], f["urn"]) for f in result.findings if not f["waiver"]}
    # (MED-ENC-003 too: this two-resource stack has no secrets key of its own.)
    assert ("MED-IAM-003", cluster["urn"]) in found, result.text()
    changed = [(d.path, d.planned, d.live) for d in result.drift if d.kind == "changed"]
    assert ("/accessConfig/authenticationMode", "API", "CONFIG_MAP") in changed
    assert result.exit_code == 1
    assert "/accessConfig" not in {c.path for c in result.live.carried}
