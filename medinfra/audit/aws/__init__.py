"""The AWS reader of a live audit: boto3 reads -> an Inventory of the planned shape.

Each planned resource is found by what the components derive, never by the planner's mock ids:
bucket, repository, cluster, log group and alias names; a KMS key through its alias; roles by
Pulumi's auto-name (`<logical name>-<7 hex>`); the VPC by the stack tag and its CIDR, subnets by
CIDR and security groups by name inside it; a launch template through its node group. The
stack's tag (resourcegroupstaggingapi) and the roles' inline policies and attachments reveal
resources nobody planned; those are read the same way and judged too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medinfra.audit.aws.cluster import ClusterReads
from medinfra.audit.aws.common import (
    ALIAS,
    ASSOCIATION,
    ATTACHMENT,
    AUDITED_TYPES,
    BUCKET,
    BUCKET_POLICY,
    CLUSTER,
    DEFAULT_SG,
    ECR_LIFECYCLE,
    ENDPOINT,
    FLOW_LOG,
    KEY,
    LAUNCH_TEMPLATE,
    LIFECYCLE,
    LOG_GROUP,
    LOGGING,
    NODE_GROUP,
    OBJECT_LOCK,
    OIDC,
    OWNERSHIP,
    PAB,
    REPOSITORY,
    REPOSITORY_POLICY,
    ROLE,
    ROLE_POLICY,
    ROUTE_TABLE,
    SECURITY_GROUP,
    SSE,
    SUBNET,
    VERSIONING,
    VPC,
)
from medinfra.audit.aws.identity import IdentityReads
from medinfra.audit.aws.network import NetworkReads
from medinfra.audit.aws.storage import StorageReads
from medinfra.audit.aws_client import AwsClients
from medinfra.audit.base import Carried, LiveRead


class AwsReader(StorageReads, IdentityReads, NetworkReads, ClusterReads):
    """Reads one AWS stack (see the module docstring for how each resource is found)."""

    audited_types = frozenset(AUDITED_TYPES)

    def __init__(self, clients: AwsClients):
        self.aws = clients

    def read(self, planned: dict[str, Any]) -> LiveRead:
        self.planned = planned
        self.by_urn = {r["urn"]: r for r in planned["resources"]}
        self.live: dict[str, dict] = {}  # planned URN -> live resource
        self.ids: dict[str, str] = {}  # physical identifier -> URN (live)
        self.primary: dict[str, str] = {}  # URN -> its main physical id
        self.arns: set[str] = set()
        self.carried: list[Carried] = []
        self.unplanned: list[dict] = []
        self.account = self.aws.call("sts", "get_caller_identity")["Account"]
        self._roles_listed: list[dict] | None = None
        readers: dict[str, Callable[[dict], dict | None]] = {
            KEY: self._key, ALIAS: self._alias, BUCKET: self._bucket,
            VERSIONING: self._versioning, SSE: self._sse, PAB: self._pab,
            BUCKET_POLICY: self._bucket_policy, LOGGING: self._logging,
            OWNERSHIP: self._ownership, LIFECYCLE: self._lifecycle,
            OBJECT_LOCK: self._object_lock, REPOSITORY: self._repository,
            REPOSITORY_POLICY: self._repository_policy, ECR_LIFECYCLE: self._ecr_lifecycle,
            LOG_GROUP: self._log_group, ROLE: self._role, ROLE_POLICY: self._role_policy,
            ATTACHMENT: self._attachment, VPC: self._vpc, SUBNET: self._subnet,
            SECURITY_GROUP: self._security_group, DEFAULT_SG: self._default_sg,
            FLOW_LOG: self._flow_log, CLUSTER: self._cluster, NODE_GROUP: self._node_group,
            LAUNCH_TEMPLATE: self._launch_template, ROUTE_TABLE: self._route_table,
            ASSOCIATION: self._association, ENDPOINT: self._endpoint, OIDC: self._oidc,
        }
        unaudited: dict[str, int] = {}
        for r in planned["resources"]:
            # Components and providers are not deployed things; everything else is.
            if r["type"] not in readers and r["type"].split(":", 1)[0] not in (
                "pulumi", "medinfra"
            ):
                unaudited[r["type"]] = unaudited.get(r["type"], 0) + 1
        for type_ in AUDITED_TYPES:
            for r in planned["resources"]:
                if r["type"] == type_:
                    props = readers[type_](r)
                    if props is not None:
                        self._keep(r, props)
        self._unplanned_policies()
        self._unplanned_tagged()
        resources = list(self.live.values()) + self.unplanned
        for res in resources:
            res["references"] = self._references(res)
            if res["urn"] in self.by_urn:
                # Where the plan attributes a value to a resource, so does the live Inventory,
                # and nowhere else: the rules and Checkov's graph see the same connections.
                paths = set(self.by_urn[res["urn"]].get("references") or {})
                res["references"] = {k: v for k, v in res["references"].items() if k in paths}
            res["dependencies"] = sorted(set(res["references"].values()))
        inventory = {
            "project": planned["project"],
            "stack": planned["stack"],
            "config": planned.get("config", {}),
            "resources": resources,
        }
        return LiveRead(inventory, self.carried, unaudited, list(self.aws.calls), self.account)

    # -- bookkeeping ------------------------------------------------------------------------

    def _keep(self, planned: dict, props: dict) -> None:
        self.live[planned["urn"]] = {
            "urn": planned["urn"], "type": planned["type"], "name": planned["name"],
            "provider": planned.get("provider"), "parent": planned.get("parent"),
            "dependencies": [], "props": props, "unknowns": [], "secrets": [], "references": {},
        }

    def _identify(self, urn: str, *values: str | None, arn: str | None = None) -> None:
        for value in values:
            if value:
                self.ids.setdefault(value, urn)
        if values and values[0]:
            self.primary[urn] = values[0]
        if arn:
            self.ids.setdefault(arn, urn)
            self.arns.add(arn)

    def _carry(self, planned: dict, props: dict, key: str, reason: str) -> None:
        """Take a top-level property the API cannot report from the plan (listed as carried)."""
        if key in planned["props"] and key not in props:
            props[key] = planned["props"][key]
            self.carried.append(Carried(planned["urn"], "/" + key, reason))

    def _ref(self, planned: dict, path: str) -> str | None:
        """The live id of the resource a planned property refers to."""
        urn = planned.get("references", {}).get(path)
        return self.primary.get(urn) if urn else None

    def _references(self, res: dict) -> dict[str, str]:
        refs: dict[str, str] = {}

        def walk(value: Any, path: str) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, f"{path}/{str(k).replace('~', '~0').replace('/', '~1')}")
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    walk(v, f"{path}/{i}")
            elif isinstance(value, str) and self.ids.get(value) not in (None, res["urn"]):
                refs[path] = self.ids[value]

        walk(res["props"], "")
        return refs

    # -- what nobody planned ----------------------------------------------------------------

    def _unplanned_urn(self, type_: str, ident: str) -> str:
        return (f"urn:pulumi:{self.planned['stack']}::{self.planned['project']}::"
                f"{type_}::unplanned:{ident}")

    def _add_unplanned(self, type_: str, ident: str, parent: str | None, props: dict) -> None:
        provider = next((r.get("provider") for r in self.planned["resources"]
                         if r["type"].startswith("aws:")), None)
        urn = self._unplanned_urn(type_, ident)
        name = urn.rsplit("::", 1)[-1]
        self.unplanned.append({
            "urn": urn, "type": type_, "name": name, "provider": provider, "parent": parent,
            "dependencies": [], "props": props, "unknowns": [], "secrets": [], "references": {},
        })

    def _unplanned_tagged(self) -> None:
        """Resources carrying the stack's tag that match no planned resource."""
        tag = self._stack_tag()
        if not tag:
            return
        for item in self.aws.pages(
            "resourcegroupstaggingapi", "get_resources", "ResourceTagMappingList",
            TagFilters=[{"Key": "stack", "Values": [tag]}],
        ):
            arn = item["ResourceARN"]
            if arn in self.arns or arn.removesuffix(":*") in self.arns:
                continue
            kind, _, ident = arn.split(":", 5)[-1].partition("/")
            service = arn.split(":")[2]
            if service == "s3" and ":::" in arn:
                type_, ident = BUCKET, arn.rsplit(":", 1)[-1]
            elif service == "logs" and arn.split(":")[5] == "log-group":
                type_, ident = LOG_GROUP, arn.split(":")[6]
            elif service == "iam" and kind == "role":
                type_, ident = ROLE, ident.rsplit("/", 1)[-1]
            else:
                type_ = {("kms", "key"): KEY, ("ecr", "repository"): REPOSITORY,
                         ("eks", "cluster"): CLUSTER}.get((service, kind))
            if type_ is None:
                continue
            stub = {"urn": self._unplanned_urn(type_, ident), "props": {}}
            read = {BUCKET: self._read_bucket, LOG_GROUP: self._read_log_group,
                    ROLE: self._read_role, KEY: self._read_key,
                    REPOSITORY: self._read_repository, CLUSTER: self._read_cluster}[type_]
            props = read(ident, stub)
            if props is None:
                continue
            self._add_unplanned(type_, ident, None, props)
            if type_ == BUCKET:
                self._unplanned_bucket_parts(ident, stub["urn"])

    def _unplanned_bucket_parts(self, bucket: str, parent: str) -> None:
        """An unplanned bucket's settings, as the resources Pulumi would model them."""
        parts = ((VERSIONING, self._versioning), (SSE, self._sse), (PAB, self._pab),
                 (BUCKET_POLICY, self._bucket_policy), (LOGGING, self._logging),
                 (OWNERSHIP, self._ownership), (OBJECT_LOCK, self._object_lock))
        for type_, read in parts:
            props = read({"urn": "", "name": bucket, "props": {"bucket": bucket}})
            if props is not None:
                self._add_unplanned(type_, bucket, parent, props)
