"""The AWS reference platform, asserted per resource from the offline plan's Inventory."""

from __future__ import annotations

import json

import pytest
from medinfra.components.aws.gpu_cluster import LOG_TYPES
from medinfra.components.config import AWS_GPU_FAMILIES

KEY = "aws:kms/key:Key"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
REQUIRED_TAGS = {"owner", "costCenter", "environment", "dataClassification", "managed-by"}


def _of_bucket(inv, type_: str, bucket: dict) -> dict:
    (found,) = [r for r in inv.of_type(type_) if r["references"].get("/bucket") == bucket["urn"]]
    return found


def _store_buckets(inv) -> list[dict]:
    return [b for b in inv.of_type(BUCKET) if not b["name"].startswith("access-logs")]


def test_every_kms_key_rotates_and_is_deletion_protected(prod):
    keys = prod.of_type(KEY)
    assert {k["name"] for k in keys} == {"keys-data", "keys-secrets", "keys-logs", "keys-volumes"}
    for key in keys:
        assert key["props"]["enableKeyRotation"] is True, key["name"]
        assert key["props"]["rotationPeriodInDays"] == 90, key["name"]
        assert key["props"]["deletionWindowInDays"] >= 7, key["name"]


def test_key_policies_never_allow_everyone(prod):
    for key in prod.of_type(KEY):
        policy = json.loads(key["props"]["policy"])
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            assert statement["Principal"] != "*"
            assert "*" not in json.dumps(statement["Principal"])


def test_vpc_has_private_subnets_in_three_zones_in_prod(prod):
    private = [
        s for s in prod.of_type("aws:ec2/subnet:Subnet") if s["props"]["tags"]["tier"] == "private"
    ]
    assert len(private) == 3
    assert len({s["props"]["availabilityZone"] for s in private}) == 3
    for subnet in prod.of_type("aws:ec2/subnet:Subnet"):
        assert subnet["props"]["mapPublicIpOnLaunch"] is False, subnet["name"]


def test_dev_spreads_over_two_zones_with_one_nat(dev):
    private = [
        s for s in dev.of_type("aws:ec2/subnet:Subnet") if s["props"]["tags"]["tier"] == "private"
    ]
    assert len(private) == 2
    assert len(dev.of_type("aws:ec2/natGateway:NatGateway")) == 1


def test_prod_has_a_nat_gateway_per_zone(prod):
    assert len(prod.of_type("aws:ec2/natGateway:NatGateway")) == 3


def test_flow_logs_capture_everything_into_an_encrypted_retained_group(prod):
    (flow,) = prod.of_type("aws:ec2/flowLog:FlowLog")
    assert flow["props"]["trafficType"] == "ALL"
    group = prod.referenced(flow, "/logDestination")
    assert group["type"] == "aws:cloudwatch/logGroup:LogGroup"
    assert prod.referenced(group, "/kmsKeyId")["type"] == KEY
    assert group["props"]["retentionInDays"] >= 365


def test_default_security_group_has_no_rules(prod):
    (sg,) = prod.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert sg["props"]["ingress"] == [] and sg["props"]["egress"] == []


def test_nodes_reach_aws_through_private_endpoints(prod):
    services = {
        e["props"]["serviceName"].split(".", 3)[-1]: e["props"]["vpcEndpointType"]
        for e in prod.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    }
    assert services["s3"] == "Gateway"
    for service in ("ecr.api", "ecr.dkr", "sts", "kms", "logs"):
        assert services[service] == "Interface", service


def test_each_store_is_encrypted_with_a_kms_key_of_this_plan(prod):
    for bucket in _store_buckets(prod):
        sse = _of_bucket(prod, SSE, bucket)
        rule = sse["props"]["rules"][0]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
        assert rule["bucketKeyEnabled"] is True
        key = prod.referenced(sse, "/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId")
        assert key["type"] == KEY and key["props"]["enableKeyRotation"] is True


def test_each_bucket_blocks_all_public_access_and_is_versioned(prod):
    for bucket in prod.of_type(BUCKET):
        block = _of_bucket(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket)
        for flag in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        ):
            assert block["props"][flag] is True, (bucket["name"], flag)
        versioning = _of_bucket(prod, "aws:s3/bucketVersioning:BucketVersioning", bucket)
        assert versioning["props"]["versioningConfiguration"]["status"] == "Enabled"
        ownership = _of_bucket(
            prod, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket
        )
        assert ownership["props"]["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_each_bucket_policy_denies_plain_http(prod):
    for bucket in prod.of_type(BUCKET):
        policy = json.loads(
            _of_bucket(prod, "aws:s3/bucketPolicy:BucketPolicy", bucket)["props"]["policy"]
        )
        tls = [s for s in policy["Statement"] if s.get("Sid") == "DenyInsecureTransport"]
        assert tls and tls[0]["Effect"] == "Deny"
        assert tls[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_store_policy_refuses_uploads_with_another_key(prod):
    for bucket in _store_buckets(prod):
        policy = json.loads(
            _of_bucket(prod, "aws:s3/bucketPolicy:BucketPolicy", bucket)["props"]["policy"]
        )
        sids = {s["Sid"] for s in policy["Statement"]}
        assert {"DenyUploadsNotEncryptedWithKms", "DenyUploadsWithAnotherKey"} <= sids


def test_stores_ship_access_logs_to_the_log_bucket(prod):
    (log_bucket,) = [b for b in prod.of_type(BUCKET) if b["name"] == "access-logs"]
    for bucket in _store_buckets(prod):
        logging = _of_bucket(prod, "aws:s3/bucketLogging:BucketLogging", bucket)
        assert logging["props"]["targetBucket"] == log_bucket["props"]["bucket"]


def test_phi_stores_are_object_locked_for_six_years_in_compliance_mode(prod):
    for bucket in _store_buckets(prod):
        assert bucket["props"]["objectLockEnabled"] is True
        lock = _of_bucket(
            prod, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", bucket
        )
        retention = lock["props"]["rule"]["defaultRetention"]
        assert retention == {"days": 2190, "mode": "COMPLIANCE"}


def test_deidentified_dev_stores_have_no_object_lock(dev):
    assert dev.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration") == []


def test_registry_is_immutable_scanned_and_kms_encrypted(prod):
    (repo,) = prod.of_type("aws:ecr/repository:Repository")
    assert repo["props"]["imageTagMutability"] == "IMMUTABLE"
    assert repo["props"]["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["props"]["encryptionConfigurations"][0]["encryptionType"] == "KMS"
    key = prod.referenced(repo, "/encryptionConfigurations/0/kmsKey")
    assert key["type"] == KEY


def test_eks_endpoint_is_private_and_secrets_are_encrypted_with_a_plan_key(prod):
    (cluster,) = prod.of_type("aws:eks/cluster:Cluster")
    vpc = cluster["props"]["vpcConfig"]
    assert vpc["endpointPublicAccess"] is False and vpc["endpointPrivateAccess"] is True
    assert "publicAccessCidrs" not in vpc
    assert cluster["props"]["encryptionConfig"]["resources"] == ["secrets"]
    key = prod.referenced(cluster, "/encryptionConfig/provider/keyArn")
    assert key["type"] == KEY and key["name"] == "keys-secrets"


def test_eks_ships_all_five_control_plane_log_types(prod):
    (cluster,) = prod.of_type("aws:eks/cluster:Cluster")
    assert sorted(cluster["props"]["enabledClusterLogTypes"]) == sorted(LOG_TYPES)
    assert len(LOG_TYPES) == 5
    assert cluster["props"]["accessConfig"]["authenticationMode"] == "API"


def test_gpu_node_groups_use_gpu_instances_and_are_tainted(prod):
    groups = {g["name"]: g for g in prod.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert set(groups) == {"cluster-system", "cluster-l4", "cluster-a100"}
    for name in ("cluster-l4", "cluster-a100"):
        props = groups[name]["props"]
        assert props["instanceTypes"][0].split(".")[0] in AWS_GPU_FAMILIES
        assert props["amiType"].endswith("NVIDIA")
        assert {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"} in props[
            "taints"
        ]
        assert props["labels"]["nvidia.com/gpu.present"] == "true"
        assert "remoteAccess" not in props  # no SSH key
    assert "taints" not in groups["cluster-system"]["props"]


def test_launch_templates_require_imdsv2_and_encrypt_volumes_with_a_plan_key(prod):
    templates = prod.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert len(templates) == 3
    for template in templates:
        props = template["props"]
        assert props["metadataOptions"]["httpTokens"] == "required"
        assert props["metadataOptions"]["httpPutResponseHopLimit"] == 1
        ebs = props["blockDeviceMappings"][0]["ebs"]
        assert ebs["encrypted"] == "true" and ebs["volumeType"] == "gp3"
        assert prod.referenced(template, "/blockDeviceMappings/0/ebs/kmsKeyId")["type"] == KEY
        assert "keyName" not in props


def test_model_role_trust_is_scoped_to_one_service_account_of_the_plans_cluster(prod):
    (role,) = [r for r in prod.of_type("aws:iam/role:Role") if r["name"] == "model-chest-xray"]
    (statement,) = json.loads(role["props"]["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    (cluster,) = prod.of_type("aws:eks/cluster:Cluster")
    assert statement["Condition"] == {"StringEquals": {
        "aws:SourceAccount": "123456789012",
        "aws:RequestTag/eks-cluster-name": cluster["props"]["name"],
        "aws:RequestTag/kubernetes-namespace": "models",
        "aws:RequestTag/kubernetes-service-account": "chest-xray",
    }}


def test_model_role_is_associated_with_its_one_service_account(prod):
    (association,) = prod.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association["props"]["namespace"] == "models"
    assert association["props"]["serviceAccount"] == "chest-xray"
    assert prod.referenced(association, "/roleArn")["name"] == "model-chest-xray"
    assert prod.referenced(association, "/clusterName")["type"] == "aws:eks/cluster:Cluster"
    (addon,) = [a for a in prod.of_type("aws:eks/addon:Addon")
                if a["props"]["addonName"] == "eks-pod-identity-agent"]
    assert prod.referenced(addon, "/clusterName")["type"] == "aws:eks/cluster:Cluster"


def test_model_role_reads_one_prefix_and_decrypts_with_one_key(prod):
    (policy,) = [
        p for p in prod.of_type("aws:iam/rolePolicy:RolePolicy") if p["name"] == "model-chest-xray"
    ]
    statements = json.loads(policy["props"]["policy"])["Statement"]
    actions = sorted(s["Action"] for s in statements)
    assert actions == ["kms:Decrypt", "s3:GetObject", "s3:ListBucket"]
    read = next(s for s in statements if s["Action"] == "s3:GetObject")
    assert read["Resource"] == "arn:aws:s3:::medinfra-aws-prod-models/chest-xray/2026.10.1/*"
    decrypt = next(s for s in statements if s["Action"] == "kms:Decrypt")
    # The key's own ARN is unknown until it exists; its alias names it, and aliases are unique.
    assert decrypt["Resource"] == "arn:aws:kms:us-east-1:123456789012:key/*"
    (data_alias,) = [a for a in prod.of_type("aws:kms/alias:Alias")
                     if a["props"]["name"].endswith("-data")]
    assert decrypt["Condition"] == {
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": [data_alias["props"]["name"]]}
    }


def test_kubeconfig_is_a_secret(prod):
    (provider,) = prod.of_type("pulumi:providers:kubernetes")
    assert "/kubeconfig" in provider["secrets"]
    assert provider["props"].get("kubeconfig") in ("[secret]", None)


def test_default_storage_class_is_encrypted(prod):
    (sc,) = prod.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
    assert sc["props"]["parameters"]["encrypted"] == "true"
    assert (
        sc["props"]["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"]
        == "true"
    )


def test_regional_provider_pins_the_configured_region(prod):
    (provider,) = prod.of_type("pulumi:providers:aws")
    assert provider["props"]["region"] == "us-east-1"


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_taggable_resource_carries_the_required_tags(request, stack):
    from tests.sdk_schema import input_names

    inventory = request.getfixturevalue(stack)
    checked = 0
    for resource in inventory.resources:
        if not resource["type"].startswith("aws:"):
            continue
        if "tags" in input_names(resource["type"]):
            assert REQUIRED_TAGS <= set(resource["props"].get("tags", {})), resource["urn"]
            checked += 1
    assert checked >= 30
