"""The identities AKS itself runs as, for `GpuCluster`: a user-assigned control-plane identity and
a kubelet identity, and the role grants AKS needs for them, each on the one resource it is needed
for. Created as children of the cluster component."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi
import pulumi_azure_native as azure
from medinfra.components.azure.common import grant

if TYPE_CHECKING:
    from medinfra.components.azure.gpu_cluster import GpuClusterArgs


def cluster_identities(
    name: str, args: GpuClusterArgs, parent: pulumi.Resource
) -> tuple[
    azure.managedidentity.UserAssignedIdentity,
    azure.managedidentity.UserAssignedIdentity,
    list[azure.authorization.RoleAssignment],
]:
    """The control-plane identity, the kubelet identity, and the grants the cluster waits for."""
    child = pulumi.ResourceOptions(parent=parent)
    rg, location = args.resource_group_name, args.location

    def identity(suffix: str) -> azure.managedidentity.UserAssignedIdentity:
        return azure.managedidentity.UserAssignedIdentity(
            f"{name}-{suffix}",
            resource_group_name=rg,
            location=location,
            resource_name_=f"{args.cluster_name}-{suffix}",
            opts=child,
        )

    control_plane, kubelet = identity("control-plane"), identity("kubelet")
    pid = control_plane.principal_id
    # What AKS itself needs, each on the one resource it is needed for.
    needs = (
        ("kms", "Key Vault Crypto User", pid, args.secrets_key_id),
        ("kms-private-vault", "Key Vault Contributor", pid, args.vault_id),
        ("kubelet-operator", "Managed Identity Operator", pid, kubelet.id),
        ("subnet", "Network Contributor", pid, args.node_subnet_id),
        ("des-reader", "Reader", pid, args.disk_encryption_set_id),
        ("acr-pull", "AcrPull", kubelet.principal_id, args.registry_id),
    )
    grants = [
        grant(f"{name}-{suffix}", role=role, principal_id=who, scope=scope, parent=parent)
        for suffix, role, who, scope in needs
    ]
    return control_plane, kubelet, grants
