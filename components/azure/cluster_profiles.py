"""Pure settings of the AKS managed cluster `GpuCluster` creates: its Entra ID, security, add-on
and network profiles, and decoding the kubeconfig AKS returns. No resources here.
(`api_server_access()` stays in gpu_cluster.py, where rule MED-NET-001 names it.)"""

from __future__ import annotations

import base64
import ipaddress
from typing import TYPE_CHECKING

import pulumi

if TYPE_CHECKING:
    from medinfra.components.azure.gpu_cluster import GpuClusterArgs


def aad_profile(args: GpuClusterArgs, tenant_id: pulumi.Input[str]) -> dict:
    """Entra ID sign-in and Azure RBAC for every Kubernetes permission, plus admin groups."""
    return {
        "managed": True,
        "enable_azure_rbac": True,
        "tenant_id": tenant_id,
        **(
            {"admin_group_object_ids": list(args.admin_group_object_ids)}
            if args.admin_group_object_ids
            else {}
        ),
    }


def security_profile(args: GpuClusterArgs) -> dict:
    """KMS etcd encryption with the vault key, workload identity, Defender, image cleaner."""
    return {
        # HIPAA 164.312(a)(2)(iv): Kubernetes secrets in etcd encrypted with our key.
        "azure_key_vault_kms": {
            "enabled": True,
            "key_id": args.secrets_key_uri,
            "key_vault_network_access": "Private",
            "key_vault_resource_id": args.vault_id,
        },
        "workload_identity": {"enabled": True},
        "defender": {
            "log_analytics_workspace_resource_id": args.workspace_id,
            "security_monitoring": {"enabled": True},
        },
        "image_cleaner": {"enabled": True, "interval_hours": 168},
    }


def addon_profiles(args: GpuClusterArgs) -> dict:
    """Azure Policy and container insights."""
    return {
        "azurepolicy": {"enabled": True},
        # Container insights: node and pod logs/metrics to Log Analytics (Entra auth).
        "omsagent": {"enabled": True, "config": {
            "logAnalyticsWorkspaceResourceID": args.workspace_id,
            "useAADAuth": "true"}},
    }


def network_profile(args: GpuClusterArgs) -> dict:
    """Azure CNI overlay with Cilium; cluster DNS on the service range's 10th address."""
    return {
        "network_plugin": "azure",
        "network_plugin_mode": "overlay",
        "network_dataplane": "cilium",
        "network_policy": "cilium",
        "pod_cidr": args.pod_cidr,
        "service_cidr": args.service_cidr,
        "dns_service_ip": str(ipaddress.IPv4Network(args.service_cidr)[10]),
        # Egress through the network's NAT gateway; no load balancer public IP.
        "outbound_type": "userAssignedNATGateway",
        "load_balancer_sku": "standard",
    }


def decode_kubeconfig(result) -> str:
    """The kubeconfig in an AKS credentials result (base64 in the API)."""
    return base64.b64decode(result.kubeconfigs[0].value).decode()
