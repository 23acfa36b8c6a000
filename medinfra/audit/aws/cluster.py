"""The EKS cluster, its OIDC provider, node groups and launch templates."""

from __future__ import annotations

from typing import Any

from medinfra.audit.aws.common import (
    NODE_GROUP,
    NOT_READABLE,
    NOT_REPORTED,
    _camel,
    _tags,
)
from medinfra.audit.base import Carried


class ClusterReads:
    """Reads of AwsReader: see the module docstring."""

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
