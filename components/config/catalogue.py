"""What each cloud offers: machine type formats, GPU instance families and accelerators.

The config checks a stack against this catalogue, and each cloud's `GpuCluster` checks its
arguments against the same one.
"""

from __future__ import annotations

import re

#: NVIDIA GPU instance families per cloud (what `nvidia.com/gpu` can schedule on).
AWS_GPU_FAMILIES = frozenset(
    {"g4dn", "g5", "g5g", "g6", "g6e", "gr6", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en"}
)
#: Azure VM sizes with an NVIDIA GPU (N-series: NC, ND, NV).
AZURE_GPU_SIZES = re.compile(r"^Standard_N(C|D|V)[A-Za-z0-9_]*$")
#: GCP machine family -> accelerators it can carry.
GCP_ACCELERATORS = {
    "n1": frozenset(
        {"nvidia-tesla-t4", "nvidia-tesla-v100", "nvidia-tesla-p4", "nvidia-tesla-p100"}
    ),
    "g2": frozenset({"nvidia-l4"}),
    "a2": frozenset({"nvidia-tesla-a100", "nvidia-a100-80gb"}),
    "a3": frozenset({"nvidia-h100-80gb", "nvidia-h100-mega-80gb"}),
}

#: What a machine type looks like on each cloud, and how to say so.
INSTANCE_FORMATS = {
    "aws": (re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$"), "an EC2 instance type such as g5.2xlarge"),
    "azure": (
        re.compile(r"^Standard_[A-Za-z0-9_]+$"),
        "an Azure VM size such as Standard_NC4as_T4_v3",
    ),
    "gcp": (re.compile(r"^[a-z][a-z0-9]*-[a-z0-9-]+$"), "a GCE machine type such as g2-standard-8"),
}

#: Machine type of the system pool when a stack names none.
DEFAULT_SYSTEM_POOL = {"aws": "m6i.large", "azure": "Standard_D4s_v5", "gcp": "e2-standard-4"}


def aws_family(instance_type: str) -> str:
    """The EC2 instance family (`g5` of `g5.2xlarge`)."""
    return instance_type.split(".")[0]


def aws_has_gpu(instance_type: str) -> bool:
    """The EC2 instance type carries an NVIDIA GPU."""
    return aws_family(instance_type) in AWS_GPU_FAMILIES


def azure_has_gpu(vm_size: str) -> bool:
    """The Azure VM size carries an NVIDIA GPU."""
    return AZURE_GPU_SIZES.match(vm_size) is not None


def gcp_family(machine_type: str) -> str:
    """The GCE machine family (`g2` of `g2-standard-8`)."""
    return machine_type.split("-")[0]


def gcp_accelerators(machine_type: str) -> frozenset[str] | None:
    """Accelerators a GCE machine type can carry; None if its family carries no GPU."""
    return GCP_ACCELERATORS.get(gcp_family(machine_type))
