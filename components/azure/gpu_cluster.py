"""`GpuCluster`: a private AKS cluster with Entra ID RBAC, KMS etcd encryption, workload
identity, audit logs, a system pool and tainted GPU pools on CMK-encrypted disks. Its own
identities and their grants are in `cluster_identities`, the managed cluster's profiles in
`cluster_profiles`, the node pools' settings in `node_pools`."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
import pulumi_kubernetes as k8s
from medinfra.components import PACKAGE
from medinfra.components.azure.cluster_identities import cluster_identities
from medinfra.components.azure.cluster_profiles import (
    aad_profile,
    addon_profiles,
    decode_kubeconfig,
    network_profile,
    security_profile,
)
from medinfra.components.azure.common import diagnostics, grant
from medinfra.components.azure.node_pools import (  # noqa: F401 - re-exported
    GPU_TAINT,
    SYSTEM_TAINT,
    NodePoolSpec,
    pool_properties,
)
from medinfra.components.config import GPU_LABEL, GPU_RESOURCE, azure_has_gpu
from medinfra.components.validation import endpoint_problems, raise_if_invalid

#: Control-plane logs kept for audit (HIPAA 164.312(b)): API audit, admin audit, Entra ID guard.
AUDIT_LOGS = ("kube-audit", "kube-audit-admin", "guard")
_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")


@dataclass(frozen=True, kw_only=True)
class GpuClusterArgs:
    """Inputs of `GpuCluster`."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the cluster."""
    location: str
    """Azure region."""
    cluster_name: str
    """AKS cluster name (also its DNS prefix)."""
    kubernetes_version: str
    """Kubernetes minor version, e.g. 1.33."""
    node_subnet_id: pulumi.Input[str]
    """Subnet of every node pool."""
    service_cidr: str
    """Kubernetes service range."""
    pod_cidr: str
    """Overlay pod range (not VNet addresses)."""
    vault_id: pulumi.Input[str]
    """ARM id of the Key Vault holding the keys below."""
    secrets_key_uri: pulumi.Input[str]
    """Versioned URI of the key encrypting Kubernetes secrets in etcd (KMS)."""
    secrets_key_id: pulumi.Input[str]
    """ARM id of that key."""
    disk_encryption_set_id: pulumi.Input[str]
    """Disk encryption set (customer-managed key) for node OS disks and persistent volumes."""
    registry_id: pulumi.Input[str]
    """ACR the nodes pull images from (AcrPull for the kubelet identity only)."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace for audit logs and Defender."""
    system_pool: NodePoolSpec
    """Pool for system add-ons (tainted CriticalAddonsOnly)."""
    gpu_pools: tuple[NodePoolSpec, ...] = ()
    """GPU pools, tainted so only GPU workloads land there."""
    zones: tuple[str, ...] = ("1", "2", "3")
    """Availability zones of the system pool."""
    # CIS AKS 5.4.x: the API server is private unless explicitly opened to named ranges.
    endpoint_public_access: bool = False
    """Give the API server a public endpoint (needs authorized_ip_ranges)."""
    authorized_ip_ranges: tuple[str, ...] = ()
    """Who may reach a public API server; never 0.0.0.0/0."""
    sku_tier: str = "Standard"
    """AKS tier: Standard (uptime SLA) or Free."""
    # Host encryption covers temp disks and caches; N-series v3+ sizes support it.
    encryption_at_host: bool = True
    """Encrypt VM temp disks and OS/data disk caches on the host."""
    admin_group_object_ids: tuple[str, ...] = ()
    """Entra ID groups that are cluster admins (in addition to Azure RBAC role holders)."""


def _validate(args: GpuClusterArgs) -> list[tuple[str, str]]:
    problems = endpoint_problems(
        args.endpoint_public_access, args.authorized_ip_ranges, "authorizedIpRanges"
    )
    pools = [("systemPool", args.system_pool)] + [
        (f"gpuPools[{i}]", p) for i, p in enumerate(args.gpu_pools)
    ]
    for path, pool in pools:
        if not _POOL_NAME.match(pool.name):
            problems.append((f"{path}.name", f"{pool.name!r}: 1-12 lowercase letters/digits"))
        if pool.min_count > pool.max_count:
            problems.append((f"{path}.minCount", f"{pool.min_count} > maxCount {pool.max_count}"))
        if not pool.min_count <= pool.count <= pool.max_count:
            problems.append((f"{path}.count", "must be within minCount..maxCount"))
        if pool.gpu and not azure_has_gpu(pool.vm_size):
            problems.append((f"{path}.vmSize", f"{pool.vm_size} has no GPU; use an N-series size"))
    if args.sku_tier not in ("Standard", "Free", "Premium"):
        problems.append(("skuTier", f"{args.sku_tier!r}: Standard, Free or Premium"))
    return problems


def api_server_access(args: GpuClusterArgs) -> dict:
    """Private cluster by default; a public API only with its explicit flag and allow-list."""
    if args.endpoint_public_access:
        return {
            "enable_private_cluster": False,
            "authorized_ip_ranges": list(args.authorized_ip_ranges),
            "disable_run_command": True,
        }
    return {
        "enable_private_cluster": True,
        "private_dns_zone": "system",
        "enable_private_cluster_public_fqdn": False,
        "disable_run_command": True,
    }


class GpuCluster(pulumi.ComponentResource):
    """AKS: private API server, Entra ID with Azure RBAC, no local accounts, KMS etcd
    encryption with the vault key, OIDC issuer and workload identity, Azure Policy and
    Defender, audit logs, CMK disk encryption, no public node IPs, automatic patch upgrades."""

    def __init__(self, name: str, args: GpuClusterArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:azure:GpuCluster", name, _validate(args))
        super().__init__(f"{PACKAGE}:azure:GpuCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rg, location = args.resource_group_name, args.location
        client = azure.authorization.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        )

        control_plane, kubelet, grants = cluster_identities(name, args, parent=self)
        system = pool_properties(args, args.system_pool)
        self.cluster = azure.containerservice.ManagedCluster(
            name,
            resource_group_name=rg,
            location=location,
            resource_name_=args.cluster_name,
            dns_prefix=args.cluster_name,
            kubernetes_version=args.kubernetes_version,
            sku={"name": "Base", "tier": args.sku_tier},
            support_plan="KubernetesOfficial",
            identity={"type": "UserAssigned", "user_assigned_identities": [control_plane.id]},
            identity_profile={
                "kubeletidentity": {
                    "resource_id": kubelet.id,
                    "client_id": kubelet.client_id,
                    "object_id": kubelet.principal_id,
                }
            },
            node_resource_group=f"{args.cluster_name}-nodes",
            agent_pool_profiles=[{"name": args.system_pool.name, **system}],
            api_server_access_profile=api_server_access(args),
            # Entra ID sign-in and Azure RBAC for every Kubernetes permission; no local
            # (certificate) accounts that bypass both.
            aad_profile=aad_profile(args, client.tenant_id),
            enable_rbac=True,
            disable_local_accounts=True,
            oidc_issuer_profile={"enabled": True},
            security_profile=security_profile(args),
            addon_profiles=addon_profiles(args),
            disk_encryption_set_id=args.disk_encryption_set_id,
            network_profile=network_profile(args),
            auto_upgrade_profile={
                "upgrade_channel": "patch",
                "node_os_upgrade_channel": "NodeImage",
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=grants),
        )
        self.gpu_pools = [
            azure.containerservice.AgentPool(
                f"{name}-{pool.name}",
                resource_group_name=rg,
                resource_name_=self.cluster.name,
                agent_pool_name=pool.name,
                **pool_properties(args, pool),
                opts=child,
            )
            for pool in args.gpu_pools
        ]
        diagnostics(
            f"{name}-audit",
            resource_uri=self.cluster.id,
            workspace_id=args.workspace_id,
            categories=AUDIT_LOGS,
            parent=self,
        )
        # Whoever deploys the platform administers it through Azure RBAC (no local accounts).
        grant(
            f"{name}-deployer-admin",
            role="Azure Kubernetes Service RBAC Cluster Admin",
            principal_id=client.object_id,
            scope=self.cluster.id,
            parent=self,
            principal_type=None,
        )

        self.oidc_issuer = self.cluster.oidc_issuer_profile.apply(lambda p: p.issuer_url)
        credentials = azure.containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=rg,
            resource_name=self.cluster.name,
            # exec format: kubelogin gets Entra ID tokens; the kubeconfig holds no credentials.
            format="exec",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.kubeconfig = pulumi.Output.secret(credentials.apply(decode_kubeconfig))
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child)
        k8s.storage.v1.StorageClass(
            f"{name}-managed-csi-cmk",
            metadata={
                "name": "managed-csi-cmk",
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            provisioner="disk.csi.azure.com",
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            reclaim_policy="Retain",
            parameters={
                "skuName": "Premium_ZRS",
                "diskEncryptionSetID": args.disk_encryption_set_id,
                "diskEncryptionType": "EncryptionAtRestWithPlatformAndCustomerKeys",
            },
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        #: Where GPU workloads must go, and the toleration that lets them.
        self.gpu_node_selector = {GPU_LABEL: "true"}
        self.gpu_tolerations = [
            {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}
        ]
        self.register_outputs(
            {
                "clusterName": self.cluster.name,
                "oidcIssuer": self.oidc_issuer,
                "kubeconfig": self.kubeconfig,
                "gpuNodeSelector": self.gpu_node_selector,
                "gpuTolerations": self.gpu_tolerations,
            }
        )


