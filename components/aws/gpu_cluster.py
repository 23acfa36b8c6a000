"""`GpuCluster`: a private, encrypted, audited EKS cluster with a system and GPU node pools."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from medinfra.components import PACKAGE
from medinfra.components.aws.kubeconfig import kubeconfig  # noqa: F401 - re-exported
from medinfra.components.aws.policies import service_trust_policy
from medinfra.components.config import (
    ACCELERATOR_LABEL,
    GPU_LABEL,
    GPU_RESOURCE,
    MIN_LOG_RETENTION_DAYS,
    POOL_LABEL,
    aws_has_gpu,
)
from medinfra.components.config.catalogue import aws_family
from medinfra.components.validation import endpoint_problems, raise_if_invalid

#: All EKS control-plane log types (HIPAA 164.312(b) audit controls).
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKS_CNI_Policy",
)
ADDONS = ("vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "aws-ebs-csi-driver")
GPU_TAINT = {"key": GPU_RESOURCE, "value": "true", "effect": "NO_SCHEDULE"}


@dataclass(frozen=True, kw_only=True)
class NodePoolSpec:
    """One managed node group."""

    name: str
    instance_type: str
    min_size: int
    max_size: int
    desired_size: int
    disk_size_gb: int
    gpu: bool = False


@dataclass(frozen=True, kw_only=True)
class GpuClusterArgs:
    """Inputs of `GpuCluster`."""

    cluster_name: str
    """EKS cluster name."""
    kubernetes_version: str
    """Kubernetes minor version, e.g. 1.33."""
    subnet_ids: pulumi.Input[list[str]]
    """Private subnets for the control plane ENIs and the nodes."""
    service_cidr: str
    """Kubernetes service range."""
    secrets_key_arn: pulumi.Input[str]
    """KMS key for envelope encryption of Kubernetes secrets."""
    logs_key_arn: pulumi.Input[str]
    """KMS key for the control-plane log group."""
    volumes_key_arn: pulumi.Input[str]
    """KMS key for node root volumes."""
    system_pool: NodePoolSpec
    """Pool for system add-ons."""
    gpu_pools: tuple[NodePoolSpec, ...] = ()
    """GPU pools, tainted so only GPU workloads land there."""
    # CIS EKS 5.4.2: the API endpoint is private unless explicitly opened to named ranges.
    endpoint_public_access: bool = False
    """Expose the API endpoint publicly (needs public_access_cidrs)."""
    public_access_cidrs: tuple[str, ...] = ()
    """Who may reach a public endpoint; never 0.0.0.0/0."""
    log_retention_days: int = MIN_LOG_RETENTION_DAYS
    """Control-plane log retention."""
    deletion_protection: bool = True
    """Refuse to delete the cluster until this is turned off."""
    imds_hop_limit: int = 1
    """IMDSv2 hop limit; 1 keeps pods (which use IRSA) away from node credentials."""
    extra_tags: dict[str, str] = field(default_factory=dict)
    """Extra tags for launched instances and volumes."""


def _validate(args: GpuClusterArgs) -> list[tuple[str, str]]:
    problems = endpoint_problems(
        args.endpoint_public_access, args.public_access_cidrs, "publicAccessCidrs"
    )
    pools = [("systemPool", args.system_pool)] + [
        (f"gpuPools[{i}]", p) for i, p in enumerate(args.gpu_pools)
    ]
    for path, pool in pools:
        if pool.min_size > pool.max_size:
            problems.append((f"{path}.minSize", f"{pool.min_size} > maxSize {pool.max_size}"))
        if not pool.min_size <= pool.desired_size <= pool.max_size:
            problems.append((f"{path}.desiredSize", "must be within minSize..maxSize"))
        if pool.gpu and not aws_has_gpu(pool.instance_type):
            problems.append((f"{path}.instanceType", f"{pool.instance_type} has no NVIDIA GPU"))
    if args.imds_hop_limit not in (1, 2):
        problems.append(("imdsHopLimit", "must be 1 or 2"))
    return problems


class GpuCluster(pulumi.ComponentResource):
    """EKS with a private endpoint, KMS-encrypted secrets, all control-plane logs, API access
    entries, IRSA, IMDSv2-only encrypted nodes and tainted GPU node groups."""

    def __init__(self, name: str, args: GpuClusterArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:aws:GpuCluster", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:GpuCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region

        role = aws.iam.Role(
            f"{name}-cluster",
            assume_role_policy=json.dumps(service_trust_policy("eks.amazonaws.com")),
            opts=child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-cluster",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            opts=child,
        )
        logs = aws.cloudwatch.LogGroup(
            f"{name}-cluster",
            name=f"/aws/eks/{args.cluster_name}/cluster",
            kms_key_id=args.logs_key_arn,
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        vpc_config = {
            "subnet_ids": args.subnet_ids,
            "endpoint_private_access": True,
            "endpoint_public_access": args.endpoint_public_access,
        }
        if args.public_access_cidrs:
            vpc_config["public_access_cidrs"] = list(args.public_access_cidrs)
        self.cluster = aws.eks.Cluster(
            name,
            name=args.cluster_name,
            version=args.kubernetes_version,
            role_arn=role.arn,
            vpc_config=vpc_config,
            # HIPAA 164.312(a)(2)(iv): Kubernetes secrets envelope-encrypted with our key.
            encryption_config={
                "resources": ["secrets"],
                "provider": {"key_arn": args.secrets_key_arn},
            },
            enabled_cluster_log_types=list(LOG_TYPES),
            # Access entries only: no aws-auth ConfigMap to drift or be edited by hand.
            access_config={
                "authentication_mode": "API",
                "bootstrap_cluster_creator_admin_permissions": True,
            },
            kubernetes_network_config={"service_ipv4_cidr": args.service_cidr, "ip_family": "ipv4"},
            bootstrap_self_managed_addons=False,
            deletion_protection=args.deletion_protection,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment, logs]),
        )
        issuer = self.cluster.identities[0].oidcs[0].issuer
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            name, url=issuer, client_id_lists=["sts.amazonaws.com"], opts=child
        )
        self.oidc_issuer = issuer

        node_role = aws.iam.Role(
            f"{name}-nodes",
            assume_role_policy=json.dumps(service_trust_policy("ec2.amazonaws.com")),
            opts=child,
        )
        node_attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-nodes-{p}",
                role=node_role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{p}",
                opts=child,
            )
            for p in NODE_POLICIES
        ]
        self.node_groups = [
            self._node_group(name, args, pool, node_role, node_attachments, child)
            for pool in (args.system_pool, *args.gpu_pools)
        ]
        for addon in ADDONS:
            aws.eks.Addon(
                f"{name}-{addon}",
                cluster_name=self.cluster.name,
                addon_name=addon,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="PRESERVE",
                opts=pulumi.ResourceOptions(parent=self, depends_on=self.node_groups),
            )

        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                self.cluster.name,
                self.cluster.endpoint,
                self.cluster.certificate_authority.data,
                region,
            ).apply(lambda a: kubeconfig(*a))
        )
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child)
        k8s.storage.v1.StorageClass(
            f"{name}-gp3-encrypted",
            metadata={
                "name": "gp3-encrypted",
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            provisioner="ebs.csi.aws.com",
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            reclaim_policy="Retain",
            parameters={"type": "gp3", "encrypted": "true", "kmsKeyId": args.volumes_key_arn},
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        #: Where GPU workloads must go, and the toleration that lets them.
        self.gpu_node_selector = {GPU_LABEL: "true"}
        self.gpu_tolerations = [
            {"key": GPU_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}
        ]
        self.register_outputs(
            {
                "clusterName": self.cluster.name,
                "endpoint": self.cluster.endpoint,
                "oidcIssuer": issuer,
                "kubeconfig": self.kubeconfig,
                "gpuNodeSelector": self.gpu_node_selector,
                "gpuTolerations": self.gpu_tolerations,
            }
        )

    def _node_group(
        self, name: str, args: GpuClusterArgs, pool: NodePoolSpec, role, attachments, child
    ) -> aws.eks.NodeGroup:
        family = aws_family(pool.instance_type)
        template = aws.ec2.LaunchTemplate(
            f"{name}-{pool.name}",
            # CIS EKS 3.x / AWS IMDSv2: session tokens required, hop limit keeps pods out.
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": args.imds_hop_limit,
            },
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": pool.disk_size_gb,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "kms_key_id": args.volumes_key_arn,
                        "delete_on_termination": "true",
                    },
                }
            ],
            tag_specifications=[
                {"resource_type": t, "tags": args.extra_tags} for t in ("instance", "volume")
            ]
            if args.extra_tags
            else None,
            update_default_version=True,
            opts=child,
        )
        labels = {POOL_LABEL: pool.name}
        if pool.gpu:
            labels |= {GPU_LABEL: "true", ACCELERATOR_LABEL: family}
        return aws.eks.NodeGroup(
            f"{name}-{pool.name}",
            cluster_name=self.cluster.name,
            node_group_name=pool.name,
            node_role_arn=role.arn,
            subnet_ids=args.subnet_ids,
            instance_types=[pool.instance_type],
            ami_type=("AL2023_ARM_64_NVIDIA" if family == "g5g" else "AL2023_x86_64_NVIDIA")
            if pool.gpu
            else "AL2023_x86_64_STANDARD",
            scaling_config={
                "min_size": pool.min_size,
                "max_size": pool.max_size,
                "desired_size": pool.desired_size,
            },
            update_config={"max_unavailable": 1},
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            labels=labels,
            taints=[GPU_TAINT] if pool.gpu else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
        )
