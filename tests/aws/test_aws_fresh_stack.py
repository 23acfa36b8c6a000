"""AWS components on a stack that does not exist yet: what a first `pulumi preview` knows.

The engine answers a resource being created with no id and only its inputs echoed back; every
computed output (ARN, repository URL, ...) is unknown, and a policy document that embeds one is
wholly unknown, so the gate could not read it. These tests run the components under mocks that
answer exactly that, and assert that the security-relevant documents are known."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest
from medinfra.components.aws.access_logs import AccessLogBucket, AccessLogBucketArgs
from medinfra.components.aws.data_store import DataStore, DataStoreArgs
from medinfra.components.aws.network import Network, NetworkArgs
from medinfra.components.aws.registry import Registry, RegistryArgs

from medinfra.mocks import ACCOUNT_ID, OfflineCloud

ACCOUNT_KEYS = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/*"


class FreshStackMocks(pulumi.runtime.Mocks):
    """As the engine previews a create: id unknown (""), outputs = the inputs, nothing else."""

    def __init__(self):
        self.cloud = OfflineCloud({"aws:region": "us-east-1"})
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args):
        self.created.append(args)
        return "", dict(args.inputs)

    def call(self, args):  # data sources the engine reads during a preview
        return self.cloud.invoke(args.token, args.args)

    def inputs(self, type_: str, name: str) -> dict:
        (found,) = [a.inputs for a in self.created if a.typ == type_ and a.name == name]
        return found


@pytest.fixture
def fresh():
    mocks = FreshStackMocks()
    pulumi.runtime.set_mocks(mocks, project="medinfra", stack="test", preview=True)
    return mocks


def _known_json(value) -> dict:
    assert isinstance(value, str), f"unknown in a first preview: {value!r}"
    return json.loads(value)


def _plan(build) -> None:
    """Run `build` as a program: every registration has been answered when this returns."""
    pulumi.runtime.test(build)()


def _unknown_key() -> pulumi.Output[str]:
    """A KMS key of the plan: its ARN is unknown until the key exists."""
    return aws.kms.Key("data", enable_key_rotation=True).arn


def test_a_new_buckets_policy_is_known_and_denies_plain_http_and_foreign_keys(fresh):
    _plan(lambda: DataStore(
        "models",
        DataStoreArgs(bucket_name="medinfra-test-models", key_arn=_unknown_key(),
                      access_log_bucket="medinfra-test-logs"),
    ))
    policy = _known_json(fresh.inputs("aws:s3/bucketPolicy:BucketPolicy", "models")["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    bucket = "arn:aws:s3:::medinfra-test-models"
    assert by_sid["DenyInsecureTransport"]["Resource"] == [bucket, f"{bucket}/*"]
    assert by_sid["DenyInsecureTransport"]["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }
    assert by_sid["DenyUploadsWithAnotherKey"]["Condition"] == {
        "StringNotLikeIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": ACCOUNT_KEYS}
    }
    # Configuration resources name the bucket, known before it exists (its id is not).
    for type_ in ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                  "aws:s3/bucketVersioning:BucketVersioning",
                  "aws:s3/bucketServerSideEncryptionConfiguration:"
                  "BucketServerSideEncryptionConfiguration"):
        assert fresh.inputs(type_, "models")["bucket"] == "medinfra-test-models", type_


def test_a_new_access_log_buckets_policy_names_its_sources_by_arn(fresh):
    _plan(lambda: AccessLogBucket(
        "access-logs",
        AccessLogBucketArgs(bucket_name="medinfra-test-logs",
                            source_bucket_names=("medinfra-test-models",), retention_days=2190),
    ))
    policy = _known_json(fresh.inputs("aws:s3/bucketPolicy:BucketPolicy", "access-logs")["policy"])
    text = json.dumps(policy)
    assert "arn:aws:s3:::medinfra-test-logs/*" in text
    assert "arn:aws:s3:::medinfra-test-models" in text
    assert '"aws:SecureTransport": "false"' in text


def test_a_new_vpcs_flow_log_role_policy_is_known(fresh):
    _plan(lambda: Network(
        "network",
        NetworkArgs(cidr="10.40.0.0/16", zones=2,
                    flow_log_key_arn=_unknown_key(), log_retention_days=365,
                    region="us-east-1"),
    ))
    policy = _known_json(
        fresh.inputs("aws:iam/rolePolicy:RolePolicy", "network-flow-logs")["policy"]
    )
    group = f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:/medinfra/network/vpc-flow-logs"
    assert policy["Statement"][0]["Resource"] == [group, f"{group}:*"]


def test_a_new_repositorys_url_is_known(fresh):
    def build():
        registry = Registry(
            "registry",
            RegistryArgs(repository_name="medinfra-test/models", key_arn=_unknown_key()),
        )
        # A probe shows what a consumer of the URL receives in a first preview.
        aws.sns.Topic("probe", display_name=registry.repository_url)

    _plan(build)
    assert fresh.inputs("aws:sns/topic:Topic", "probe")["displayName"] == (
        f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/medinfra-test/models"
    )


def test_the_fresh_stack_mocks_leave_computed_outputs_unknown(fresh):
    """The yardstick itself: an ARN the program did not set is not known in a preview."""

    def build():
        key = aws.kms.Key("data", enable_key_rotation=True)
        aws.sns.Topic("probe", display_name=key.arn)

    _plan(build)
    assert not isinstance(fresh.inputs("aws:sns/topic:Topic", "probe")["displayName"], str)


def test_a_new_model_roles_trust_and_permissions_are_known(fresh):
    from medinfra.components.aws.identity import WorkloadIdentity, WorkloadIdentityArgs

    def build():
        cluster = aws.eks.Cluster("cluster", name="medinfra-test", role_arn="arn:role",
                                  vpc_config={"subnet_ids": ["subnet-1"]})
        WorkloadIdentity(
            "model-chest-xray",
            WorkloadIdentityArgs(
                namespace="models", service_account="chest-xray", cluster_name=cluster.name,
                bucket_arn="arn:aws:s3:::medinfra-test-models", prefix="chest-xray/1.0/",
                key_alias="alias/medinfra-test-data",
            ),
        )

    _plan(build)
    trust = _known_json(
        fresh.inputs("aws:iam/role:Role", "model-chest-xray")["assumeRolePolicy"]
    )
    assert trust["Statement"][0]["Condition"]["StringEquals"][
        "aws:RequestTag/kubernetes-service-account"] == "chest-xray"
    permissions = _known_json(
        fresh.inputs("aws:iam/rolePolicy:RolePolicy", "model-chest-xray")["policy"]
    )
    decrypt = next(s for s in permissions["Statement"] if s["Action"] == "kms:Decrypt")
    assert decrypt["Resource"] == ACCOUNT_KEYS
    association = fresh.inputs(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation", "model-chest-xray"
    )
    assert (association["clusterName"], association["namespace"],
            association["serviceAccount"]) == ("medinfra-test", "models", "chest-xray")
