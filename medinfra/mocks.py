"""Deterministic stand-ins for what cloud providers compute, so a program can be planned offline.

Every identifier is derived from the resource's URN: the same program and config always give the
same ids and ARNs, and a value that flows from one resource into another can be traced back to
its origin (see `policies.inventory.resolve_references`). Outputs the provider would compute and
we do not model stay unknown, exactly as in a real `pulumi preview` of new resources.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping

from medinfra.mocks_azure import SUBSCRIPTION_ID, TENANT_ID, azure_invokes, azure_resource
from medinfra.mocks_gcp import GCP_PROJECT, gcp_invokes, gcp_resource

ACCOUNT_ID = "123456789012"
__all__ = [
    "ACCOUNT_ID",
    "GCP_PROJECT",
    "SUBSCRIPTION_ID",
    "TENANT_ID",
    "OfflineCloud",
    "UnansweredInvoke",
]


class UnansweredInvoke(Exception):
    """A data source the offline planner has no deterministic answer for."""


def _digest(urn: str) -> str:
    return hashlib.sha256(urn.encode()).hexdigest()


class OfflineCloud:
    """Generates ids/outputs for new resources and answers the common data sources."""

    def __init__(self, config: Mapping[str, str]):
        self.aws_region = config.get("aws:region", "us-east-1")
        self.gcp_project = config.get("gcp:project", GCP_PROJECT)
        self.gcp_region = config.get("gcp:region", "us-central1")
        self.azure_location = config.get("azure-native:location", "eastus")

    # -- resources ---------------------------------------------------------------------------

    def new_resource(self, type_: str, name: str, inputs: dict, urn: str) -> tuple[str, dict, set]:
        """Return (id, outputs, generated identifier values) for a resource being created."""
        h = _digest(urn)
        package = type_.split(":", 1)[0]
        if type_.startswith("pulumi:providers:"):
            pid = str(uuid.UUID(h[:32]))
            return pid, dict(inputs), {pid}
        maker = {
            "aws": self._aws,
            "gcp": lambda t, n, i, h: gcp_resource(self, t, n, i, h),
            "azure-native": lambda t, n, i, h: azure_resource(self, t, n, i, h),
            "kubernetes": self._kubernetes,
        }.get(package, self._generic)
        rid, extra = maker(type_, name, inputs, h)
        outputs = {**inputs, **extra}
        generated = {rid} | {v for v in extra.values() if isinstance(v, str)}
        return rid, outputs, generated

    def _generic(self, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
        return f"{name}-{h[:8]}", {}

    def _aws(self, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
        module = type_.split(":")[1].split("/")[0]
        kind = type_.rsplit(":", 1)[-1].lower()
        physical = inputs.get("name") or inputs.get("bucket") or f"{name}-{h[:7]}"
        region, acct = self.aws_region, ACCOUNT_ID
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

    def _kubernetes(self, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
        metadata = dict(inputs.get("metadata") or {})
        metadata.setdefault("name", f"{name}-{h[:8]}")
        namespace = metadata.get("namespace", "default")
        return f"{namespace}/{metadata['name']}", {"metadata": metadata}

    # -- data sources ------------------------------------------------------------------------

    def invoke(self, token: str, args: dict) -> dict:
        """Answer a data source call, or raise UnansweredInvoke naming it."""
        answer: Callable[[dict], dict] | None = self._invokes().get(token)
        if answer is None:
            raise UnansweredInvoke(
                f"the data source {token!r} cannot be answered offline; "
                "medinfra preview answers: " + ", ".join(sorted(self._invokes()))
            )
        return answer(args)

    def _invokes(self) -> dict[str, Callable[[dict], dict]]:
        return {**self._aws_invokes(), **gcp_invokes(self), **azure_invokes(self)}

    def _aws_invokes(self) -> dict[str, Callable[[dict], dict]]:
        region, acct = self.aws_region, ACCOUNT_ID
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
