"""Shared by the AWS reader's parts: the Pulumi types it reads, in reading order, and the
conversions from AWS's answers to Pulumi's input shapes."""

from __future__ import annotations

import json
import re
from typing import Any

NOT_READABLE = "AWS does not report this setting (create-time or Pulumi-only)"
NOT_REPORTED = "the API left this field out of its answer"

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
BUCKET = "aws:s3/bucket:Bucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
ECR_LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"

# Read in this order: later types are found through earlier ones (a subnet through its VPC).
AUDITED_TYPES = (
    KEY, ALIAS, BUCKET, VERSIONING, SSE, PAB, BUCKET_POLICY, LOGGING, OWNERSHIP, LIFECYCLE,
    OBJECT_LOCK, REPOSITORY, REPOSITORY_POLICY, ECR_LIFECYCLE, LOG_GROUP, ROLE, ROLE_POLICY,
    ATTACHMENT, VPC, SUBNET, ROUTE_TABLE, ASSOCIATION, SECURITY_GROUP, DEFAULT_SG, FLOW_LOG,
    ENDPOINT, CLUSTER, OIDC, NODE_GROUP, LAUNCH_TEMPLATE,
)


def _tags(items: list[dict[str, str]] | None, key: str = "Key", value: str = "Value") -> dict:
    return {t[key]: t[value] for t in items or []}


def _camel(value: Any) -> Any:
    """AWS's PascalCase answer -> Pulumi's camelCase inputs (Tags lists become maps)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("Tags", "TagSet") and isinstance(v, list):
                out["tags"] = _tags(v)
                continue
            name = "id" if k == "ID" else k[:1].lower() + k[1:]
            out[name] = _camel(v)
        return out
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _policy_text(document: Any) -> str:
    """IAM answers policy documents decoded; the Inventory holds them as JSON text."""
    return document if isinstance(document, str) else json.dumps(document)


def _autonamed(logical: str, name: str) -> bool:
    return re.fullmatch(re.escape(logical) + r"-[0-9a-f]{7}", name) is not None


def _rules(permissions: list[dict]) -> list[dict]:
    """Security group IpPermissions -> Pulumi ingress/egress rules."""
    rules = []
    for perm in permissions:
        rule: dict[str, Any] = {"protocol": perm.get("IpProtocol", "-1")}
        rule["fromPort"] = perm.get("FromPort", 0)
        rule["toPort"] = perm.get("ToPort", 0)
        cidrs = [r["CidrIp"] for r in perm.get("IpRanges", [])]
        if cidrs:
            rule["cidrBlocks"] = cidrs
        v6 = [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]
        if v6:
            rule["ipv6CidrBlocks"] = v6
        groups = [g["GroupId"] for g in perm.get("UserIdGroupPairs", [])]
        if groups:
            rule["securityGroups"] = groups
        descriptions = [
            r["Description"]
            for r in perm.get("IpRanges", []) + perm.get("Ipv6Ranges", [])
            if r.get("Description")
        ]
        if descriptions:
            rule["description"] = descriptions[0]
        rules.append(rule)
    return rules
