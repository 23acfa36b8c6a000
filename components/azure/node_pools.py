"""AKS node pools: one spec per pool and the agent-pool properties it becomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from medinfra.components.config import GPU_LABEL, GPU_RESOURCE, POOL_LABEL

if TYPE_CHECKING:
    from medinfra.components.azure.gpu_cluster import GpuClusterArgs

GPU_TAINT = f"{GPU_RESOURCE}=true:NoSchedule"
SYSTEM_TAINT = "CriticalAddonsOnly=true:NoSchedule"


@dataclass(frozen=True, kw_only=True)
class NodePoolSpec:
    """One AKS node pool (virtual machine scale set, autoscaled)."""

    name: str
    vm_size: str
    min_count: int
    max_count: int
    count: int
    os_disk_size_gb: int
    gpu: bool = False


def pool_properties(args: GpuClusterArgs, pool: NodePoolSpec) -> dict:
    """Node pool settings shared by the system pool and the GPU pools."""
    labels = {POOL_LABEL: pool.name}
    if pool.gpu:
        labels |= {GPU_LABEL: "true", "medinfra.io/vm-size": pool.vm_size.lower()}
    return {
        "mode": "User" if pool.gpu else "System",
        "type": "VirtualMachineScaleSets",
        "vm_size": pool.vm_size,
        "os_type": "Linux",
        "os_sku": "AzureLinux",
        "os_disk_type": "Managed",
        "os_disk_size_gb": pool.os_disk_size_gb,
        # Azure CNI overlay gives each node a /24 of the pod range: Kubernetes' default 110
        # pods fits it, explicitly (AKS's overlay default is 250; CIS AKS wants >= 50).
        "max_pods": 110,
        "orchestrator_version": args.kubernetes_version,
        "enable_auto_scaling": True,
        "count": pool.count,
        "min_count": pool.min_count,
        "max_count": pool.max_count,
        "vnet_subnet_id": args.node_subnet_id,
        # GPU sizes are not offered in every zone; GPU pools let Azure place them.
        "availability_zones": None if pool.gpu else list(args.zones),
        "enable_node_public_ip": False,
        "enable_encryption_at_host": args.encryption_at_host,
        "node_labels": labels,
        "node_taints": [GPU_TAINT if pool.gpu else SYSTEM_TAINT],
        "upgrade_settings": {"max_surge": "33%"},
    }
