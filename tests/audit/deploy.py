"""Deploy a planned AWS Inventory into a moto server with plain boto3 calls, one planned
resource at a time, the way Pulumi would (auto-named roles and groups get a fresh random
suffix, so nothing depends on the planner's mock ids)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from medinfra.audit.drift import identities


def _tags(tags: dict | None, key: str = "Key", value: str = "Value") -> list[dict]:
    return [{key: k, value: v} for k, v in (tags or {}).items()]


class Deployer:
    """Creates each planned resource; `live[urn]` holds its physical forms (id, arn, name)."""

    def __init__(self, session, endpoint_url: str, region: str):
        self.c = lambda service: session.client(service, endpoint_url=endpoint_url,
                                                region_name=region)
        self.region = region
        self.live: dict[str, dict[str, str]] = {}

    # -- value translation ----------------------------------------------------------------

    def _form(self, urn: str, planned_value: str) -> str:
        forms = self.live[urn]
        if planned_value.startswith("arn:"):
            return forms["arn"]
        return forms.get("id") or forms["name"]

    def translate(self, value: Any) -> Any:
        """Planned mock ids (whole values or inside documents) -> the deployed ones."""
        if isinstance(value, dict):
            return {k: self.translate(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.translate(v) for v in value]
        if not isinstance(value, str):
            return value
        for old, new in getattr(self, "extra", {}).items():
            value = value.replace(old, new)
        for ident in self._order:
            urn = self._ids[ident]
            if ident in value and urn in self.live:
                value = value.replace(ident, self._form(urn, ident))
        return value

    def deploy(self, planned: dict) -> dict[str, dict[str, str]]:
        self._ids = identities(planned["resources"])
        oidc = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
        self._planned_issuers = [r["props"]["url"] for r in planned["resources"]
                                 if r["type"] == oidc]
        self._order = sorted(self._ids, key=len, reverse=True)
        order = [
            "aws:kms/key:Key", "aws:kms/alias:Alias", "aws:s3/bucket:Bucket",
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketPolicy:BucketPolicy", "aws:s3/bucketLogging:BucketLogging",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:ec2/vpc:Vpc",
            "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable",
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/vpcEndpoint:VpcEndpoint",
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/flowLog:FlowLog",
            "aws:ecr/repository:Repository", "aws:ecr/repositoryPolicy:RepositoryPolicy",
            "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:eks/cluster:Cluster",
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
            "aws:ec2/launchTemplate:LaunchTemplate", "aws:eks/nodeGroup:NodeGroup",
        ]
        self.extra: dict[str, str] = {}
        later, deferred = [], set()
        for type_ in order:
            method = getattr(self, "_" + type_.rsplit(":", 1)[-1])
            for r in planned["resources"]:
                if r["type"] != type_:
                    continue
                waits = "oidc.eks" in json.dumps(r["props"]) or any(
                    urn in deferred for urn in r.get("references", {}).values())
                if waits and type_.startswith("aws:iam/role"):
                    # Trusts the cluster's issuer (or belongs to such a role): after the cluster.
                    later.append((method, r))
                    deferred.add(r["urn"])
                    continue
                method(r, self.translate(r["props"]))
        for method, r in later:
            method(r, self.translate(r["props"]))
        return self.live

    # -- KMS --------------------------------------------------------------------------------

    def _Key(self, r, p):
        kms = self.c("kms")
        key = kms.create_key(Description=p["description"], KeyUsage=p["keyUsage"],
                             KeySpec=p["customerMasterKeySpec"], Policy=p["policy"],
                             Tags=_tags(p.get("tags"), "TagKey", "TagValue"))["KeyMetadata"]
        if p.get("enableKeyRotation"):
            kms.enable_key_rotation(KeyId=key["KeyId"],
                                    RotationPeriodInDays=p.get("rotationPeriodInDays", 365))
        self.live[r["urn"]] = {"id": key["KeyId"], "arn": key["Arn"]}

    def _Alias(self, r, p):
        self.c("kms").create_alias(AliasName=p["name"], TargetKeyId=p["targetKeyId"])
        self.live[r["urn"]] = {"name": p["name"], "arn": "x"}

    # -- S3 ---------------------------------------------------------------------------------

    def _Bucket(self, r, p):
        s3 = self.c("s3")
        s3.create_bucket(Bucket=p["bucket"], ObjectLockEnabledForBucket=bool(
            p.get("objectLockEnabled")))
        s3.put_bucket_tagging(Bucket=p["bucket"], Tagging={"TagSet": _tags(p.get("tags"))})
        self.live[r["urn"]] = {"name": p["bucket"], "arn": f"arn:aws:s3:::{p['bucket']}"}

    def _BucketVersioning(self, r, p):
        config = {"Status": p["versioningConfiguration"]["status"]}
        self.c("s3").put_bucket_versioning(Bucket=p["bucket"], VersioningConfiguration=config)

    def _BucketServerSideEncryptionConfiguration(self, r, p):
        rules = []
        for rule in p["rules"]:
            default = rule["applyServerSideEncryptionByDefault"]
            out = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": default["sseAlgorithm"]}}
            if default.get("kmsMasterKeyId"):
                out["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = default[
                    "kmsMasterKeyId"]
            if rule.get("bucketKeyEnabled"):
                out["BucketKeyEnabled"] = True
            rules.append(out)
        self.c("s3").put_bucket_encryption(
            Bucket=p["bucket"], ServerSideEncryptionConfiguration={"Rules": rules})

    def _BucketPublicAccessBlock(self, r, p):
        self.c("s3").put_public_access_block(Bucket=p["bucket"], PublicAccessBlockConfiguration={
            k[:1].upper() + k[1:]: p[k] for k in (
                "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        })

    def _BucketPolicy(self, r, p):
        self.c("s3").put_bucket_policy(Bucket=p["bucket"], Policy=p["policy"])

    def _BucketLogging(self, r, p):
        self.c("s3").put_bucket_logging(Bucket=p["bucket"], BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": p["targetBucket"],
                               "TargetPrefix": p["targetPrefix"]}})

    def _BucketOwnershipControls(self, r, p):
        self.c("s3").put_bucket_ownership_controls(Bucket=p["bucket"], OwnershipControls={
            "Rules": [{"ObjectOwnership": p["rule"]["objectOwnership"]}]})

    def _BucketLifecycleConfiguration(self, r, p):
        def pascal(v):
            if isinstance(v, dict):
                return {("ID" if k == "id" else k[:1].upper() + k[1:]): pascal(x)
                        for k, x in v.items()}
            return [pascal(x) for x in v] if isinstance(v, list) else v

        self.c("s3").put_bucket_lifecycle_configuration(
            Bucket=p["bucket"], LifecycleConfiguration={"Rules": pascal(p["rules"])})

    # -- Logs, IAM --------------------------------------------------------------------------

    def _LogGroup(self, r, p):
        logs = self.c("logs")
        args = {"logGroupName": p["name"], "tags": p.get("tags", {})}
        if p.get("kmsKeyId"):
            args["kmsKeyId"] = p["kmsKeyId"]
        logs.create_log_group(**args)
        if p.get("retentionInDays"):
            logs.put_retention_policy(logGroupName=p["name"],
                                      retentionInDays=p["retentionInDays"])
        arn = f"arn:aws:logs:{self.region}:123456789012:log-group:{p['name']}"
        self.live[r["urn"]] = {"name": p["name"], "arn": arn}

    def _Role(self, r, p):
        name = p.get("name") or f"{r['name']}-{secrets.token_hex(4)[:7]}"
        args = {"RoleName": name, "AssumeRolePolicyDocument": p["assumeRolePolicy"],
                "Tags": _tags(p.get("tags"))}
        if p.get("maxSessionDuration"):
            args["MaxSessionDuration"] = p["maxSessionDuration"]
        role = self.c("iam").create_role(**args)["Role"]
        self.live[r["urn"]] = {"name": name, "arn": role["Arn"]}

    def _RolePolicy(self, r, p):
        name = p.get("name") or f"{r['name']}-{secrets.token_hex(4)[:7]}"
        self.c("iam").put_role_policy(RoleName=p["role"], PolicyName=name,
                                      PolicyDocument=p["policy"])

    def _RolePolicyAttachment(self, r, p):
        iam = self.c("iam")
        iam.attach_role_policy(RoleName=p["role"], PolicyArn=p["policyArn"])

    # -- EC2 --------------------------------------------------------------------------------

    def _Vpc(self, r, p):
        ec2 = self.c("ec2")
        vpc = ec2.create_vpc(CidrBlock=p["cidrBlock"], TagSpecifications=[
            {"ResourceType": "vpc", "Tags": _tags(p.get("tags"))}])["Vpc"]
        for attr in ("enableDnsHostnames", "enableDnsSupport"):
            if attr in p:
                ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], **{
                    attr[:1].upper() + attr[1:]: {"Value": p[attr]}})
        self.live[r["urn"]] = {"id": vpc["VpcId"], "arn": "x"}

    def _Subnet(self, r, p):
        ec2 = self.c("ec2")
        subnet = ec2.create_subnet(VpcId=p["vpcId"], CidrBlock=p["cidrBlock"],
                                   AvailabilityZone=p["availabilityZone"], TagSpecifications=[
                                       {"ResourceType": "subnet", "Tags": _tags(p.get("tags"))}]
                                   )["Subnet"]
        ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={
            "Value": bool(p.get("mapPublicIpOnLaunch"))})
        self.live[r["urn"]] = {"id": subnet["SubnetId"], "arn": subnet.get("SubnetArn", "x")}

    @staticmethod
    def _permissions(rules):
        out = []
        for rule in rules:
            perm = {"IpProtocol": rule["protocol"], "FromPort": rule["fromPort"],
                    "ToPort": rule["toPort"]}
            perm["IpRanges"] = [
                {"CidrIp": c, **({"Description": rule["description"]}
                                 if rule.get("description") else {})}
                for c in rule.get("cidrBlocks", [])]
            out.append(perm)
        return out

    def _converge_group(self, group_id, p):
        ec2 = self.c("ec2")
        group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        # Like Pulumi/Terraform: the group holds exactly the rules planned, AWS's default
        # allow-all egress is removed.
        if group.get("IpPermissionsEgress"):
            ec2.revoke_security_group_egress(GroupId=group_id,
                                             IpPermissions=group["IpPermissionsEgress"])
        if group.get("IpPermissions"):
            ec2.revoke_security_group_ingress(GroupId=group_id,
                                              IpPermissions=group["IpPermissions"])
        if p.get("ingress"):
            ec2.authorize_security_group_ingress(GroupId=group_id,
                                                 IpPermissions=self._permissions(p["ingress"]))
        if p.get("egress"):
            ec2.authorize_security_group_egress(GroupId=group_id,
                                                IpPermissions=self._permissions(p["egress"]))
        if p.get("tags"):
            ec2.create_tags(Resources=[group_id], Tags=_tags(p["tags"]))

    def _SecurityGroup(self, r, p):
        name = p.get("name") or f"{r['name']}-{secrets.token_hex(4)[:7]}"
        group_id = self.c("ec2").create_security_group(
            GroupName=name, Description=p["description"], VpcId=p["vpcId"])["GroupId"]
        self._converge_group(group_id, p)
        self.live[r["urn"]] = {"id": group_id, "arn": "x"}

    def _DefaultSecurityGroup(self, r, p):
        groups = self.c("ec2").describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [p["vpcId"]]},
            {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
        self._converge_group(groups[0]["GroupId"], p)
        self.live[r["urn"]] = {"id": groups[0]["GroupId"], "arn": "x"}

    def _FlowLog(self, r, p):
        answer = self.c("ec2").create_flow_logs(
            ResourceIds=[p["vpcId"]], ResourceType="VPC", TrafficType=p["trafficType"],
            LogDestinationType=p["logDestinationType"], LogDestination=p["logDestination"],
            DeliverLogsPermissionArn=p["iamRoleArn"],
            MaxAggregationInterval=p["maxAggregationInterval"],
            TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": _tags(p.get("tags"))}])
        self.live[r["urn"]] = {"id": answer["FlowLogIds"][0], "arn": "x"}

    # -- ECR --------------------------------------------------------------------------------

    def _Repository(self, r, p):
        enc = p["encryptionConfigurations"][0]
        repo = self.c("ecr").create_repository(
            repositoryName=p["name"], imageTagMutability=p["imageTagMutability"],
            imageScanningConfiguration=dict(p["imageScanningConfiguration"]),
            encryptionConfiguration=dict(enc),
            tags=_tags(p.get("tags")))["repository"]
        self.live[r["urn"]] = {"name": p["name"], "arn": repo["repositoryArn"]}

    def _RepositoryPolicy(self, r, p):
        self.c("ecr").set_repository_policy(repositoryName=p["repository"], policyText=p["policy"])

    def _LifecyclePolicy(self, r, p):
        self.c("ecr").put_lifecycle_policy(repositoryName=p["repository"],
                                           lifecyclePolicyText=p["policy"])

    # -- EKS --------------------------------------------------------------------------------

    def _Cluster(self, r, p):
        vpc = p["vpcConfig"]
        args = {
            "name": p["name"], "version": p["version"], "roleArn": p["roleArn"],
            "resourcesVpcConfig": {
                "subnetIds": vpc["subnetIds"],
                "endpointPublicAccess": vpc["endpointPublicAccess"],
                "endpointPrivateAccess": vpc["endpointPrivateAccess"],
                **({"publicAccessCidrs": vpc["publicAccessCidrs"]}
                   if "publicAccessCidrs" in vpc else {}),
            },
            "logging": {"clusterLogging": [
                {"types": p["enabledClusterLogTypes"], "enabled": True}]},
            "tags": p.get("tags", {}),
            "kubernetesNetworkConfig": p.get("kubernetesNetworkConfig", {}),
        }
        if p.get("encryptionConfig"):
            args["encryptionConfig"] = [p["encryptionConfig"]]
        cluster = self.c("eks").create_cluster(**args)["cluster"]
        self.live[r["urn"]] = {"name": p["name"], "arn": cluster["arn"]}
        issuer = cluster["identity"]["oidc"]["issuer"]
        for planned in self._planned_issuers:
            self.extra[planned.removeprefix("https://")] = issuer.removeprefix("https://")

    def _OpenIdConnectProvider(self, r, p):
        answer = self.c("iam").create_open_id_connect_provider(
            Url=p["url"], ClientIDList=p["clientIdLists"], ThumbprintList=["9" * 40],
            Tags=_tags(p.get("tags")))
        arn = answer["OpenIDConnectProviderArn"]
        self.live[r["urn"]] = {"id": arn, "arn": arn}

    def _RouteTable(self, r, p):
        ec2 = self.c("ec2")
        table = ec2.create_route_table(VpcId=p["vpcId"], TagSpecifications=[
            {"ResourceType": "route-table", "Tags": _tags(p.get("tags"))}])["RouteTable"]
        self.live[r["urn"]] = {"id": table["RouteTableId"], "arn": "x"}

    def _RouteTableAssociation(self, r, p):
        self.c("ec2").associate_route_table(RouteTableId=p["routeTableId"],
                                            SubnetId=p["subnetId"])

    def _VpcEndpoint(self, r, p):
        args = {"VpcId": p["vpcId"], "ServiceName": p["serviceName"],
                "VpcEndpointType": p["vpcEndpointType"],
                "TagSpecifications": [{"ResourceType": "vpc-endpoint",
                                       "Tags": _tags(p.get("tags"))}]}
        if p["vpcEndpointType"] == "Interface":
            args.update(SubnetIds=p["subnetIds"], SecurityGroupIds=p["securityGroupIds"],
                        PrivateDnsEnabled=p["privateDnsEnabled"])
        else:
            args["RouteTableIds"] = p["routeTableIds"]
        answer = self.c("ec2").create_vpc_endpoint(**args)["VpcEndpoint"]
        self.live[r["urn"]] = {"id": answer["VpcEndpointId"], "arn": "x"}

    def _LaunchTemplate(self, r, p):
        data = {
            "BlockDeviceMappings": [
                {"DeviceName": m["deviceName"], "Ebs": {
                    "DeleteOnTermination": m["ebs"]["deleteOnTermination"] == "true",
                    "Encrypted": m["ebs"]["encrypted"] == "true",
                    "KmsKeyId": m["ebs"]["kmsKeyId"], "VolumeSize": m["ebs"]["volumeSize"],
                    "VolumeType": m["ebs"]["volumeType"]}}
                for m in p.get("blockDeviceMappings", [])],
            "MetadataOptions": {
                "HttpEndpoint": p["metadataOptions"]["httpEndpoint"],
                "HttpPutResponseHopLimit": p["metadataOptions"]["httpPutResponseHopLimit"],
                "HttpTokens": p["metadataOptions"]["httpTokens"]},
        }
        template = self.c("ec2").create_launch_template(
            LaunchTemplateName=f"{r['name']}-{secrets.token_hex(4)[:7]}", LaunchTemplateData=data,
            TagSpecifications=[{"ResourceType": "launch-template", "Tags": _tags(p.get("tags"))}]
        )["LaunchTemplate"]
        self.live[r["urn"]] = {"id": template["LaunchTemplateId"], "arn": "x"}

    def _NodeGroup(self, r, p):
        args = {
            "clusterName": p["clusterName"], "nodegroupName": p["nodeGroupName"],
            "scalingConfig": p["scalingConfig"], "subnets": p["subnetIds"],
            "instanceTypes": p["instanceTypes"], "amiType": p["amiType"],
            "nodeRole": p["nodeRoleArn"], "labels": p.get("labels", {}),
            "tags": p.get("tags", {}),
            "launchTemplate": {"id": p["launchTemplate"]["id"],
                               "version": p["launchTemplate"]["version"]},
        }
        if p.get("taints"):
            args["taints"] = p["taints"]
        if p.get("updateConfig"):
            args["updateConfig"] = p["updateConfig"]
        group = self.c("eks").create_nodegroup(**args)["nodegroup"]
        self.live[r["urn"]] = {"id": group["nodegroupArn"], "arn": group["nodegroupArn"]}
