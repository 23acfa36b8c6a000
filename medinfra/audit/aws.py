"""The AWS reader of a live audit: boto3 reads -> an Inventory of the planned shape.

Each planned resource is found by what the components derive, never by the planner's mock ids:
bucket, repository, cluster, log group and alias names; a KMS key through its alias; roles by
Pulumi's auto-name (`<logical name>-<7 hex>`); the VPC by the stack tag and its CIDR, subnets by
CIDR and security groups by name inside it; a launch template through its node group. The
stack's tag (resourcegroupstaggingapi) and the roles' inline policies and attachments reveal
resources nobody planned; those are read the same way and judged too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from medinfra.audit.aws_client import AwsClients
from medinfra.audit.base import Carried, LiveRead

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


class AwsReader:
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

    # -- KMS --------------------------------------------------------------------------------

    def _aliases(self) -> dict[str, str]:
        if not hasattr(self, "_alias_map"):
            self._alias_map = {
                a["AliasName"]: a.get("TargetKeyId", "")
                for a in self.aws.pages("kms", "list_aliases", "Aliases")
            }
        return self._alias_map

    def _key(self, r: dict) -> dict | None:
        alias = next(
            (a["props"].get("name") for a in self.planned["resources"]
             if a["type"] == ALIAS and a.get("references", {}).get("/targetKeyId") == r["urn"]),
            None,
        )
        key_id = self._aliases().get(alias) if alias else None
        if not key_id:
            return None
        return self._read_key(key_id, r)

    def _read_key(self, key_id: str, r: dict) -> dict | None:
        meta = self.aws.call("kms", "describe_key", missing=("NotFoundException",), KeyId=key_id)
        if meta is None:
            return None
        meta = meta["KeyMetadata"]
        props: dict[str, Any] = {
            "customerMasterKeySpec": meta.get("KeySpec", meta.get("CustomerMasterKeySpec")),
            "description": meta.get("Description", ""),
            "keyUsage": meta.get("KeyUsage"),
        }
        if meta.get("MultiRegion"):
            props["multiRegion"] = True
        if meta.get("KeyState") not in ("Enabled", None):
            props["isEnabled"] = False
        if meta.get("KeyState") == "PendingDeletion":
            props["deletionWindowInDays"] = meta.get("PendingDeletionWindowInDays", 0)
        rotation = self.aws.call("kms", "get_key_rotation_status", KeyId=key_id)
        props["enableKeyRotation"] = bool(rotation.get("KeyRotationEnabled"))
        if "RotationPeriodInDays" in rotation:
            props["rotationPeriodInDays"] = rotation["RotationPeriodInDays"]
        elif props["enableKeyRotation"]:
            self._carry(r, props, "rotationPeriodInDays", NOT_REPORTED)
        policy = self.aws.call("kms", "get_key_policy", KeyId=key_id, PolicyName="default")
        props["policy"] = policy["Policy"]
        tags = self.aws.call("kms", "list_resource_tags", KeyId=key_id)
        props["tags"] = _tags(tags.get("Tags"), "TagKey", "TagValue")
        self._carry(r, props, "deletionWindowInDays", NOT_READABLE)
        self._identify(r["urn"], meta["KeyId"], arn=meta["Arn"])
        return props

    def _alias(self, r: dict) -> dict | None:
        name = r["props"].get("name")
        target = self._aliases().get(name)
        if not target:
            return None
        self._identify(r["urn"], name, arn=f"arn:aws:kms:{self.aws.region}:{self.account}:{name}")
        return {"name": name, "targetKeyId": target}

    # -- S3 ---------------------------------------------------------------------------------

    def _bucket(self, r: dict) -> dict | None:
        return self._read_bucket(r["props"]["bucket"], r)

    def _read_bucket(self, name: str, r: dict) -> dict | None:
        found = self.aws.call("s3", "head_bucket", missing=("404", "NoSuchBucket"), Bucket=name)
        if found is None:
            return None
        tags = self.aws.call("s3", "get_bucket_tagging", missing=("NoSuchTagSet",), Bucket=name)
        lock = self.aws.call(
            "s3", "get_object_lock_configuration",
            missing=("ObjectLockConfigurationNotFoundError",), Bucket=name,
        )
        props: dict[str, Any] = {"bucket": name, "tags": _tags((tags or {}).get("TagSet"))}
        locked = (lock or {}).get("ObjectLockConfiguration", {}).get("ObjectLockEnabled")
        if locked == "Enabled" or "objectLockEnabled" in r["props"]:
            props["objectLockEnabled"] = locked == "Enabled"
        self._carry(r, props, "forceDestroy", NOT_READABLE)
        self._identify(r["urn"], name, arn=f"arn:aws:s3:::{name}")
        return props

    def _bucket_of(self, r: dict) -> str | None:
        """A bucket sub-resource's bucket, if that bucket was found."""
        name = r["props"].get("bucket")
        return name if name in self.ids else None

    def _versioning(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        if not bucket:
            return None
        answer = self.aws.call("s3", "get_bucket_versioning", Bucket=bucket)
        if not answer.get("Status"):
            return None
        config = {"status": answer["Status"]}
        if answer.get("MFADelete") == "Enabled":
            config["mfaDelete"] = "Enabled"
        return {"bucket": bucket, "versioningConfiguration": config}

    def _sse(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_bucket_encryption",
            missing=("ServerSideEncryptionConfigurationNotFoundError",), Bucket=bucket,
        )
        if not answer:
            return None
        rules = []
        for rule in answer["ServerSideEncryptionConfiguration"].get("Rules", []):
            default = rule.get("ApplyServerSideEncryptionByDefault", {})
            out: dict[str, Any] = {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": default.get("SSEAlgorithm")}
            }
            if default.get("KMSMasterKeyID"):
                out["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] = default[
                    "KMSMasterKeyID"
                ]
            if rule.get("BucketKeyEnabled"):
                out["bucketKeyEnabled"] = True
            rules.append(out)
        return {"bucket": bucket, "rules": rules}

    def _pab(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_public_access_block",
            missing=("NoSuchPublicAccessBlockConfiguration",), Bucket=bucket,
        )
        if not answer:
            return None
        config = answer["PublicAccessBlockConfiguration"]
        return {
            "blockPublicAcls": config.get("BlockPublicAcls", False),
            "blockPublicPolicy": config.get("BlockPublicPolicy", False),
            "bucket": bucket,
            "ignorePublicAcls": config.get("IgnorePublicAcls", False),
            "restrictPublicBuckets": config.get("RestrictPublicBuckets", False),
        }

    def _bucket_policy(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_bucket_policy", missing=("NoSuchBucketPolicy",), Bucket=bucket
        )
        return {"bucket": bucket, "policy": answer["Policy"]} if answer else None

    def _logging(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call("s3", "get_bucket_logging", Bucket=bucket)
        enabled = (answer or {}).get("LoggingEnabled")
        if not enabled:
            return None
        return {
            "bucket": bucket,
            "targetBucket": enabled.get("TargetBucket"),
            "targetPrefix": enabled.get("TargetPrefix", ""),
        }

    def _ownership(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_bucket_ownership_controls",
            missing=("OwnershipControlsNotFoundError",), Bucket=bucket,
        )
        if not answer:
            return None
        rules = answer["OwnershipControls"].get("Rules", [])
        return {"bucket": bucket, "rule": {"objectOwnership": rules[0]["ObjectOwnership"]}}

    def _lifecycle(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_bucket_lifecycle_configuration",
            missing=("NoSuchLifecycleConfiguration",), Bucket=bucket,
        )
        if not answer:
            return None
        return {"bucket": bucket, "rules": _camel(answer.get("Rules", []))}

    def _object_lock(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_object_lock_configuration",
            missing=("ObjectLockConfigurationNotFoundError",), Bucket=bucket,
        )
        config = (answer or {}).get("ObjectLockConfiguration", {})
        if not config.get("Rule"):
            return None
        props = {"bucket": bucket, "rule": _camel(config["Rule"])}
        if "objectLockEnabled" in r["props"]:
            props["objectLockEnabled"] = config.get("ObjectLockEnabled")
        return props

    # -- ECR --------------------------------------------------------------------------------

    def _repository(self, r: dict) -> dict | None:
        return self._read_repository(r["props"]["name"], r)

    def _read_repository(self, name: str, r: dict) -> dict | None:
        answer = self.aws.call(
            "ecr", "describe_repositories",
            missing=("RepositoryNotFoundException",), repositoryNames=[name],
        )
        if not answer or not answer.get("repositories"):
            return None
        repo = answer["repositories"][0]
        encryption = repo.get("encryptionConfiguration", {"encryptionType": "AES256"})
        tags = self.aws.call("ecr", "list_tags_for_resource", resourceArn=repo["repositoryArn"])
        props = {
            "encryptionConfigurations": [
                {k: v for k, v in encryption.items() if k in ("encryptionType", "kmsKey")}
            ],
            "imageScanningConfiguration": {
                "scanOnPush": repo.get("imageScanningConfiguration", {}).get("scanOnPush", False)
            },
            "imageTagMutability": repo.get("imageTagMutability", "MUTABLE"),
            "name": name,
            "tags": _tags(tags.get("tags")),
        }
        self._carry(r, props, "forceDelete", NOT_READABLE)
        self._identify(r["urn"], name, repo.get("repositoryUri"), arn=repo["repositoryArn"])
        return props

    def _repository_policy(self, r: dict) -> dict | None:
        name = r["props"].get("repository")
        answer = name in self.ids and self.aws.call(
            "ecr", "get_repository_policy",
            missing=("RepositoryPolicyNotFoundException",), repositoryName=name,
        )
        return {"policy": answer["policyText"], "repository": name} if answer else None

    def _ecr_lifecycle(self, r: dict) -> dict | None:
        name = r["props"].get("repository")
        answer = name in self.ids and self.aws.call(
            "ecr", "get_lifecycle_policy",
            missing=("LifecyclePolicyNotFoundException",), repositoryName=name,
        )
        return {"policy": answer["lifecyclePolicyText"], "repository": name} if answer else None

    # -- CloudWatch Logs --------------------------------------------------------------------

    def _log_group(self, r: dict) -> dict | None:
        return self._read_log_group(r["props"]["name"], r)

    def _read_log_group(self, name: str, r: dict) -> dict | None:
        group = next(
            (g for g in self.aws.pages(
                "logs", "describe_log_groups", "logGroups", logGroupNamePrefix=name
            ) if g["logGroupName"] == name),
            None,
        )
        if group is None:
            return None
        arn = group.get("arn", "").removesuffix(":*")
        tags = self.aws.call("logs", "list_tags_log_group", logGroupName=name)
        props: dict[str, Any] = {"name": name, "tags": tags.get("tags", {})}
        if group.get("kmsKeyId"):
            props["kmsKeyId"] = group["kmsKeyId"]
        if group.get("retentionInDays"):
            props["retentionInDays"] = group["retentionInDays"]
        if group.get("logGroupClass", "STANDARD") != "STANDARD":
            props["logGroupClass"] = group["logGroupClass"]
        self._identify(r["urn"], name, group.get("arn"), arn=arn)
        return props

    # -- IAM --------------------------------------------------------------------------------

    def _roles(self) -> list[dict]:
        if self._roles_listed is None:
            self._roles_listed = list(self.aws.pages("iam", "list_roles", "Roles"))
        return self._roles_listed

    def _role(self, r: dict) -> dict | None:
        wanted = r["props"].get("name")
        match = [
            role for role in self._roles()
            if (role["RoleName"] == wanted if wanted else _autonamed(r["name"], role["RoleName"]))
        ]
        if not match:
            return None
        return self._read_role(match[0]["RoleName"], r)

    def _read_role(self, name: str, r: dict) -> dict | None:
        answer = self.aws.call("iam", "get_role", missing=("NoSuchEntity",), RoleName=name)
        if answer is None:
            return None
        role = answer["Role"]
        tags = list(self.aws.pages("iam", "list_role_tags", "Tags", RoleName=name))
        props: dict[str, Any] = {
            "assumeRolePolicy": _policy_text(role.get("AssumeRolePolicyDocument", "")),
            "tags": _tags(tags),
        }
        if role.get("MaxSessionDuration", 3600) != 3600 or "maxSessionDuration" in r["props"]:
            props["maxSessionDuration"] = role.get("MaxSessionDuration", 3600)
        if role.get("Description"):
            props["description"] = role["Description"]
        if role.get("Path", "/") != "/":
            props["path"] = role["Path"]
        if role.get("PermissionsBoundary"):
            props["permissionsBoundary"] = role["PermissionsBoundary"]["PermissionsBoundaryArn"]
        if r["props"].get("name"):
            props["name"] = name
        self._identify(r["urn"], name, arn=role["Arn"])
        return props

    def _role_name(self, r: dict) -> str | None:
        urn = r.get("references", {}).get("/role")
        return self.primary.get(urn) if urn else None

    def _inline_names(self, role: str) -> list[str]:
        cache = self.__dict__.setdefault("_inline", {})
        if role not in cache:
            cache[role] = list(self.aws.pages("iam", "list_role_policies", "PolicyNames",
                                              RoleName=role))
        return cache[role]

    def _role_policy(self, r: dict) -> dict | None:
        role = self._role_name(r)
        if not role:
            return None
        wanted = r["props"].get("name")
        names = [n for n in self._inline_names(role)
                 if (n == wanted if wanted else _autonamed(r["name"], n))]
        if not names:
            return None
        self.__dict__.setdefault("_matched_inline", set()).add((role, names[0]))
        return self._read_role_policy(role, names[0], bool(wanted))

    def _read_role_policy(self, role: str, name: str, named: bool) -> dict:
        answer = self.aws.call("iam", "get_role_policy", RoleName=role, PolicyName=name)
        props = {"policy": _policy_text(answer["PolicyDocument"]), "role": role}
        if named:
            props["name"] = name
        return props

    def _attached(self, role: str) -> list[str]:
        cache = self.__dict__.setdefault("_attachments", {})
        if role not in cache:
            cache[role] = [
                p["PolicyArn"]
                for p in self.aws.pages("iam", "list_attached_role_policies",
                                        "AttachedPolicies", RoleName=role)
            ]
        return cache[role]

    def _attachment(self, r: dict) -> dict | None:
        role = self._role_name(r)
        arn = r["props"].get("policyArn")
        if not role or arn not in self._attached(role):
            return None
        self.__dict__.setdefault("_matched_attachments", set()).add((role, arn))
        return {"policyArn": arn, "role": role}

    def _unplanned_policies(self) -> None:
        """Inline policies and attachments on the stack's roles that nobody planned."""
        stack_roles = {
            urn: self.primary[urn] for urn, res in self.live.items()
            if res["type"] == ROLE and urn in self.primary
        }
        matched = self.__dict__.get("_matched_inline", set())
        attached = self.__dict__.get("_matched_attachments", set())
        for urn, role in stack_roles.items():
            for name in self._inline_names(role):
                if (role, name) not in matched:
                    self._add_unplanned(ROLE_POLICY, f"{role}/{name}", urn,
                                        self._read_role_policy(role, name, True))
            for arn in self._attached(role):
                if (role, arn) not in attached:
                    self._add_unplanned(ATTACHMENT, f"{role}/{arn.rsplit('/', 1)[-1]}", urn,
                                        {"policyArn": arn, "role": role})

    # -- EC2 --------------------------------------------------------------------------------

    def _stack_tag(self) -> str | None:
        for r in self.planned["resources"]:
            tag = (r.get("props", {}).get("tags") or {}).get("stack")
            if r["type"].startswith("aws:") and isinstance(tag, str):
                return tag
        return None

    def _vpc(self, r: dict) -> dict | None:
        tag = self._stack_tag()
        filters = [{"Name": "tag:stack", "Values": [tag]}] if tag else []
        vpc = next(
            (v for v in self.aws.pages("ec2", "describe_vpcs", "Vpcs", Filters=filters)
             if v.get("CidrBlock") == r["props"].get("cidrBlock")),
            None,
        )
        if vpc is None:
            return None
        return self._read_vpc(vpc, r)

    def _read_vpc(self, vpc: dict, r: dict) -> dict:
        vpc_id = vpc["VpcId"]
        props: dict[str, Any] = {"cidrBlock": vpc["CidrBlock"], "tags": _tags(vpc.get("Tags"))}
        for attribute, key in (("enableDnsHostnames", "EnableDnsHostnames"),
                               ("enableDnsSupport", "EnableDnsSupport")):
            answer = self.aws.call("ec2", "describe_vpc_attribute", VpcId=vpc_id,
                                   Attribute=attribute)
            props[attribute] = answer.get(key, {}).get("Value", False)
        if vpc.get("InstanceTenancy", "default") != "default":
            props["instanceTenancy"] = vpc["InstanceTenancy"]
        self._identify(r["urn"], vpc_id,
                       arn=f"arn:aws:ec2:{self.aws.region}:{self.account}:vpc/{vpc_id}")
        return props

    def _in_vpc(self, kind: str, vpc_id: str) -> list[dict]:
        cache = self.__dict__.setdefault("_vpc_items", {})
        if (kind, vpc_id) not in cache:
            method, key = {"subnet": ("describe_subnets", "Subnets"),
                           "sg": ("describe_security_groups", "SecurityGroups"),
                           "rt": ("describe_route_tables", "RouteTables"),
                           "endpoint": ("describe_vpc_endpoints", "VpcEndpoints")}[kind]
            cache[(kind, vpc_id)] = list(self.aws.pages(
                "ec2", method, key, Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
            ))
        return cache[(kind, vpc_id)]

    def _subnet(self, r: dict) -> dict | None:
        vpc_id = self._ref(r, "/vpcId")
        subnet = vpc_id and next(
            (s for s in self._in_vpc("subnet", vpc_id)
             if s["CidrBlock"] == r["props"].get("cidrBlock")),
            None,
        )
        if not subnet:
            return None
        self._identify(r["urn"], subnet["SubnetId"], arn=subnet.get("SubnetArn"))
        return {
            "availabilityZone": subnet["AvailabilityZone"],
            "cidrBlock": subnet["CidrBlock"],
            "mapPublicIpOnLaunch": subnet.get("MapPublicIpOnLaunch", False),
            "tags": _tags(subnet.get("Tags")),
            "vpcId": subnet["VpcId"],
        }

    def _route_table(self, r: dict) -> dict | None:
        """Found through the subnets the plan associates with it."""
        vpc_id = self._ref(r, "/vpcId")
        subnets = {
            self.primary.get(a.get("references", {}).get("/subnetId"))
            for a in self.planned["resources"]
            if a["type"] == ASSOCIATION and a.get("references", {}).get("/routeTableId") == r["urn"]
        } - {None}
        table = vpc_id and subnets and next(
            (t for t in self._in_vpc("rt", vpc_id)
             if subnets & {a.get("SubnetId") for a in t.get("Associations", [])}),
            None,
        )
        if not table:
            return None
        self._identify(r["urn"], table["RouteTableId"])
        return {"tags": _tags(table.get("Tags")), "vpcId": table["VpcId"]}

    def _association(self, r: dict) -> dict | None:
        table_id = self._ref(r, "/routeTableId")
        subnet_id = self._ref(r, "/subnetId")
        vpc_id = self.primary.get(self.by_urn.get(
            r.get("references", {}).get("/routeTableId"), {}).get("references", {}).get("/vpcId"))
        table = table_id and vpc_id and next(
            (t for t in self._in_vpc("rt", vpc_id) if t["RouteTableId"] == table_id), None
        )
        found = table and next(
            (a for a in table.get("Associations", []) if a.get("SubnetId") == subnet_id), None
        )
        if not found:
            return None
        self._identify(r["urn"], found.get("RouteTableAssociationId"))
        return {"routeTableId": table_id, "subnetId": subnet_id}

    def _endpoint(self, r: dict) -> dict | None:
        vpc_id = self._ref(r, "/vpcId")
        found = vpc_id and next(
            (e for e in self._in_vpc("endpoint", vpc_id)
             if e.get("ServiceName") == r["props"].get("serviceName")
             and e.get("State", "available").lower() not in ("deleted", "deleting")),
            None,
        )
        if not found:
            return None
        kind = found.get("VpcEndpointType", "Gateway")
        props: dict[str, Any] = {
            "serviceName": found["ServiceName"],
            "tags": _tags(found.get("Tags")),
            "vpcEndpointType": kind,
            "vpcId": found["VpcId"],
        }
        if kind == "Interface":
            props["privateDnsEnabled"] = found.get("PrivateDnsEnabled", False)
            props["securityGroupIds"] = [g["GroupId"] for g in found.get("Groups", [])]
            props["subnetIds"] = found.get("SubnetIds", [])
        else:
            props["routeTableIds"] = found.get("RouteTableIds", [])
        if found.get("PolicyDocument") and "policy" in r["props"]:
            props["policy"] = found["PolicyDocument"]
        self._identify(r["urn"], found["VpcEndpointId"])
        return props

    def _group_props(self, group: dict, r: dict) -> dict:
        props: dict[str, Any] = {
            "ingress": _rules(group.get("IpPermissions", [])),
            "tags": _tags(group.get("Tags")),
            "vpcId": group["VpcId"],
        }
        egress = _rules(group.get("IpPermissionsEgress", []))
        if egress or "egress" in r["props"]:
            props["egress"] = egress
        self._identify(r["urn"], group["GroupId"], arn=(
            f"arn:aws:ec2:{self.aws.region}:{self.account}:security-group/{group['GroupId']}"
        ))
        return props

    def _security_group(self, r: dict) -> dict | None:
        vpc_id = self._ref(r, "/vpcId")
        wanted = r["props"].get("name")
        group = vpc_id and next(
            (g for g in self._in_vpc("sg", vpc_id)
             if (g["GroupName"] == wanted if wanted else _autonamed(r["name"], g["GroupName"]))),
            None,
        )
        if not group:
            return None
        props = self._group_props(group, r)
        props["description"] = group.get("Description", "")
        if wanted:
            props["name"] = group["GroupName"]
        return props

    def _default_sg(self, r: dict) -> dict | None:
        vpc_id = self._ref(r, "/vpcId")
        group = vpc_id and next(
            (g for g in self._in_vpc("sg", vpc_id) if g["GroupName"] == "default"), None
        )
        return self._group_props(group, r) if group else None

    def _flow_log(self, r: dict) -> dict | None:
        vpc_id = self._ref(r, "/vpcId")
        logs = vpc_id and list(self.aws.pages(
            "ec2", "describe_flow_logs", "FlowLogs",
            Filters=[{"Name": "resource-id", "Values": [vpc_id]}],
        ))
        if not logs:
            return None
        log = logs[0]
        props: dict[str, Any] = {
            "logDestinationType": log.get("LogDestinationType", "cloud-watch-logs"),
            "maxAggregationInterval": log.get("MaxAggregationInterval", 600),
            "tags": _tags(log.get("Tags")),
            "trafficType": log.get("TrafficType"),
            "vpcId": log.get("ResourceId"),
        }
        destination = log.get("LogDestination") or (
            log.get("LogGroupName")
            and f"arn:aws:logs:{self.aws.region}:{self.account}:log-group:{log['LogGroupName']}"
        )
        if destination:
            props["logDestination"] = destination
        if log.get("DeliverLogsPermissionArn"):
            props["iamRoleArn"] = log["DeliverLogsPermissionArn"]
        self._identify(r["urn"], log["FlowLogId"])
        return props

    # -- EKS --------------------------------------------------------------------------------

    def _cluster(self, r: dict) -> dict | None:
        return self._read_cluster(r["props"]["name"], r)

    def _read_cluster(self, name: str, r: dict) -> dict | None:
        answer = self.aws.call("eks", "describe_cluster", missing=("ResourceNotFoundException",),
                               name=name)
        if answer is None:
            return None
        c = answer["cluster"]
        vpc = c.get("resourcesVpcConfig", {})
        vpc_config: dict[str, Any] = {
            "endpointPrivateAccess": vpc.get("endpointPrivateAccess", False),
            "endpointPublicAccess": vpc.get("endpointPublicAccess", True),
            "subnetIds": vpc.get("subnetIds", []),
        }
        if vpc_config["endpointPublicAccess"]:
            vpc_config["publicAccessCidrs"] = vpc.get("publicAccessCidrs", ["0.0.0.0/0"])
        if vpc.get("securityGroupIds"):
            vpc_config["securityGroupIds"] = vpc["securityGroupIds"]
        logged = sorted(
            t for entry in c.get("logging", {}).get("clusterLogging", [])
            if entry.get("enabled") for t in entry.get("types", [])
        )
        props: dict[str, Any] = {
            "enabledClusterLogTypes": logged,
            "name": name,
            "roleArn": c.get("roleArn"),
            "tags": c.get("tags", {}),
            "version": c.get("version"),
            "vpcConfig": vpc_config,
        }
        if c.get("encryptionConfig"):
            props["encryptionConfig"] = c["encryptionConfig"][0]
        network = c.get("kubernetesNetworkConfig") or {}
        network = {k: v for k, v in network.items() if k in ("ipFamily", "serviceIpv4Cidr")}
        if network:
            props["kubernetesNetworkConfig"] = network
        if "accessConfig" in c:
            props["accessConfig"] = {"authenticationMode": c["accessConfig"]["authenticationMode"]}
            bootstrap = r["props"].get("accessConfig", {}).get(
                "bootstrapClusterCreatorAdminPermissions"
            )
            if bootstrap is not None:
                props["accessConfig"]["bootstrapClusterCreatorAdminPermissions"] = bootstrap
                self.carried.append(Carried(
                    r["urn"], "/accessConfig/bootstrapClusterCreatorAdminPermissions",
                    NOT_READABLE,
                ))
        else:
            self._carry(r, props, "accessConfig", NOT_REPORTED)
        if "deletionProtection" in c:
            props["deletionProtection"] = c["deletionProtection"]
        else:
            self._carry(r, props, "deletionProtection", NOT_REPORTED)
        self._carry(r, props, "bootstrapSelfManagedAddons", NOT_READABLE)
        self._identify(r["urn"], name, arn=c.get("arn"))
        issuer = c.get("identity", {}).get("oidc", {}).get("issuer")
        if issuer:
            self.ids.setdefault(issuer, r["urn"])
            self.__dict__.setdefault("_issuers", {})[r["urn"]] = issuer
        return props

    def _oidc(self, r: dict) -> dict | None:
        """The cluster's IAM OIDC provider, found by the issuer the cluster reports."""
        cluster_urn = r.get("references", {}).get("/url")
        issuer = self.__dict__.get("_issuers", {}).get(cluster_urn)
        if not issuer:
            return None
        host = issuer.removeprefix("https://")
        arn = f"arn:aws:iam::{self.account}:oidc-provider/{host}"
        answer = self.aws.call("iam", "get_open_id_connect_provider", missing=("NoSuchEntity",),
                               OpenIDConnectProviderArn=arn)
        if answer is None:
            return None
        self._identify(r["urn"], arn, arn=arn)
        return {
            "clientIdLists": answer.get("ClientIDList", []),
            "tags": _tags(answer.get("Tags")),
            "url": issuer,
        }

    def _node_group(self, r: dict) -> dict | None:
        cluster = r["props"].get("clusterName")
        name = r["props"].get("nodeGroupName")
        answer = cluster in self.ids and self.aws.call(
            "eks", "describe_nodegroup", missing=("ResourceNotFoundException",),
            clusterName=cluster, nodegroupName=name,
        )
        if not answer:
            return None
        g = answer["nodegroup"]
        props: dict[str, Any] = {
            "amiType": g.get("amiType"),
            "clusterName": cluster,
            "instanceTypes": g.get("instanceTypes", []),
            "labels": g.get("labels", {}),
            "nodeGroupName": name,
            "nodeRoleArn": g.get("nodeRole"),
            "scalingConfig": g.get("scalingConfig", {}),
            "subnetIds": g.get("subnets", []),
            "tags": g.get("tags", {}),
        }
        if g.get("launchTemplate"):
            props["launchTemplate"] = {
                k: str(v) for k, v in g["launchTemplate"].items() if k in ("id", "version")
            }
        if g.get("taints"):
            props["taints"] = g["taints"]
        if g.get("updateConfig"):
            props["updateConfig"] = g["updateConfig"]
        else:
            self._carry(r, props, "updateConfig", NOT_REPORTED)
        if g.get("capacityType", "ON_DEMAND") != "ON_DEMAND":
            props["capacityType"] = g["capacityType"]
        if g.get("diskSize") and not g.get("launchTemplate"):
            props["diskSize"] = g["diskSize"]
        self._identify(r["urn"], g.get("nodegroupArn"), arn=g.get("nodegroupArn"))
        return props

    def _launch_template(self, r: dict) -> dict | None:
        group = next(
            (self.live.get(g["urn"]) for g in self.planned["resources"]
             if g["type"] == NODE_GROUP
             and g.get("references", {}).get("/launchTemplate/id") == r["urn"]),
            None,
        )
        template = (group or {}).get("props", {}).get("launchTemplate")
        if not template:
            return None
        answer = self.aws.call(
            "ec2", "describe_launch_templates",
            missing=("InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateId.Malformed"),
            LaunchTemplateIds=[template["id"]],
        )
        if not answer or not answer.get("LaunchTemplates"):
            return None
        versions = self.aws.call(
            "ec2", "describe_launch_template_versions",
            LaunchTemplateId=template["id"], Versions=[template["version"]],
        )
        data = _camel(versions["LaunchTemplateVersions"][0].get("LaunchTemplateData", {}))
        # A template's own tags are not part of its data (instances cannot be tagged
        # "launch-template"); moto copies them there.
        specs = [t for t in data.pop("tagSpecifications", [])
                 if t.get("resourceType") != "launch-template"]
        if specs:
            data["tagSpecifications"] = specs
        for mapping in data.get("blockDeviceMappings", []):
            for flag in ("deleteOnTermination", "encrypted"):
                if isinstance(mapping.get("ebs", {}).get(flag), bool):
                    mapping["ebs"][flag] = str(mapping["ebs"][flag]).lower()
        props = {**data, "tags": _tags(answer["LaunchTemplates"][0].get("Tags"))}
        self._carry(r, props, "updateDefaultVersion", NOT_READABLE)
        self._identify(r["urn"], template["id"], answer["LaunchTemplates"][0]["LaunchTemplateName"])
        return props

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
