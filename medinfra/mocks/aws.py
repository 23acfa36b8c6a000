"""AWS part of the offline planner's deterministic cloud (see `medinfra.mocks.OfflineCloud`).

Ids and ARNs have the shapes AWS gives them, in the stack's region and one fixed account, so a
value that flows from one resource into another (a key ARN into a bucket's encryption, a role
ARN into a node group) can be traced back to the resource it came from.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

PACKAGE = "aws"
ACCOUNT_ID = "123456789012"


def new_resource(cloud, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
    """(id, computed outputs) for a new `aws:` resource; `h` is the URN's sha256 hex."""
    module = type_.split(":")[1].split("/")[0]
    kind = type_.rsplit(":", 1)[-1].lower()
    physical = inputs.get("name") or inputs.get("bucket") or f"{name}-{h[:7]}"
    region, acct = cloud.aws_region, ACCOUNT_ID
    if type_ == "aws:kms/key:Key":
        key_id = str(uuid.UUID(h[:32]))
        arn = f"arn:aws:kms:{region}:{acct}:key/{key_id}"
        return key_id, {"arn": arn, "keyId": key_id}
    if module == "s3" and kind in ("bucket", "bucketv2"):
        return physical, {"arn": f"arn:aws:s3:::{physical}", "bucket": physical}
    if type_ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        url = str(inputs.get("url") or f"oidc.eks.{region}.amazonaws.com/id/{h[:32]}")
        arn = f"arn:aws:iam::{acct}:oidc-provider/{url.removeprefix('https://')}"
        return arn, {"arn": arn}
    if module == "iam":
        arn = f"arn:aws:iam::{acct}:{kind}/{physical}"
        return physical, {"arn": arn, "name": physical}
    if type_ == "aws:eks/cluster:Cluster":
        issuer = f"https://oidc.eks.{region}.amazonaws.com/id/{h[:32].upper()}"
        return physical, {
            "arn": f"arn:aws:eks:{region}:{acct}:cluster/{physical}",
            "name": physical,
            "endpoint": f"https://{h[:32].upper()}.gr7.{region}.eks.amazonaws.com",
            "certificateAuthority": {"data": "b2ZmbGluZS1wbGFjZWhvbGRlci1jYQ=="},
            "identities": [{"oidcs": [{"issuer": issuer}]}],
        }
    if type_ == "aws:ec2/launchTemplate:LaunchTemplate":
        rid = f"lt-{h[:17]}"
        arn = f"arn:aws:ec2:{region}:{acct}:launch-template/{rid}"
        return rid, {"arn": arn, "latestVersion": 1, "defaultVersion": 1}
    if type_ == "aws:ecr/repository:Repository":
        url = f"{acct}.dkr.ecr.{region}.amazonaws.com/{physical}"
        return physical, {
            "arn": f"arn:aws:ecr:{region}:{acct}:repository/{physical}",
            "repositoryUrl": url,
            "name": physical,
        }
    if type_ == "aws:cloudwatch/logGroup:LogGroup":
        arn = f"arn:aws:logs:{region}:{acct}:log-group:{physical}"
        return physical, {"arn": arn, "name": physical}
    rid = f"{kind[:8]}-{h[:17]}"
    arn = f"arn:aws:{module}:{region}:{acct}:{kind}/{physical}"
    return rid, {"arn": arn}


def invokes(cloud) -> dict[str, Callable[[dict], dict]]:
    """Data sources answered offline: token -> answer(args)."""
    region, acct = cloud.aws_region, ACCOUNT_ID
    zones = [f"{region}{s}" for s in "abcdef"]
    return {
        "aws:index/getCallerIdentity:getCallerIdentity": lambda a: {
            "accountId": acct,
            "arn": f"arn:aws:iam::{acct}:user/offline",
            "userId": "AIDAOFFLINE",
            "id": acct,
        },
        "aws:index/getRegion:getRegion": lambda a: {
            "name": region,
            "region": region,
            "id": region,
            "endpoint": f"ec2.{region}.amazonaws.com",
            "description": region,
        },
        "aws:index/getPartition:getPartition": lambda a: {
            "partition": "aws",
            "dnsSuffix": "amazonaws.com",
            "id": "aws",
            "reverseDnsPrefix": "com.amazonaws",
        },
        "aws:index/getAvailabilityZones:getAvailabilityZones": lambda a: {
            "names": zones,
            "zoneIds": [f"use1-az{i + 1}" for i in range(len(zones))],
            "groupNames": [region] * len(zones),
            "id": region,
            "state": a.get("state", "available"),
        },
    }
