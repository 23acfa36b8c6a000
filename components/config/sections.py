"""Infrastructure sections of the stack config: tags, network, node pools, cluster, registry,
data stores."""

from __future__ import annotations

import json
from typing import Literal

from medinfra.components.config.base import SectionModel, check_relations
from medinfra.components.config.constants import DEFAULT_RANGES
from medinfra.components.config.relations import (
    cluster_relations,
    network_relations,
    pool_relations,
)
from medinfra.components.config.value_types import Cidr, Label, NetworkCidr, NonEmpty, PrivateCidr
from pydantic import ConfigDict, Field, ValidationInfo, model_validator


class Tags(SectionModel):
    """Tags every taggable resource carries. `owner` and `costCenter` are required."""

    # Any further tag is allowed (pydantic merges this with SectionModel's configuration).
    model_config = ConfigDict(extra="allow")

    owner: NonEmpty
    """Team accountable for the platform."""
    cost_center: NonEmpty
    """Cost center billed for it."""

    @model_validator(mode="after")
    def _extra_tags_are_strings(self) -> Tags:
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, str):
                raise ValueError(f"tag {key!r} must be a string, got {json.dumps(value)}")
        return self

    def as_dict(self) -> dict[str, str]:
        return {"owner": self.owner, "costCenter": self.cost_center, **(self.model_extra or {})}


class Network(SectionModel):
    """Address space of the platform network. Every range must be private and disjoint."""

    cidr: NetworkCidr = DEFAULT_RANGES["cidr"]
    """VPC/VNet range (/16 to /22)."""
    service_cidr: PrivateCidr = DEFAULT_RANGES["serviceCidr"]
    """Kubernetes service range."""
    pod_cidr: PrivateCidr = DEFAULT_RANGES["podCidr"]
    """Kubernetes pod range (GKE secondary range)."""
    availability_zones: int | None = Field(default=None, ge=2, le=6)
    """Zones to spread over; default 3 in prod, 2 elsewhere."""

    @model_validator(mode="after")
    def _disjoint(self, info: ValidationInfo) -> Network:
        check_relations(self, info, network_relations)
        return self


class NodePool(SectionModel):
    """A managed node pool: machine type and autoscaling bounds."""

    instance_type: NonEmpty
    """EC2 instance type, Azure VM size or GCE machine type."""
    min_size: int = Field(default=2, ge=0, le=1000)
    """Fewest nodes."""
    max_size: int = Field(default=4, ge=1, le=1000)
    """Most nodes."""
    desired_size: int | None = Field(default=None, ge=0, le=1000)
    """Nodes at creation; default minSize."""
    disk_size_gb: int = Field(default=100, ge=20, le=16384)
    """Encrypted root volume size."""

    @model_validator(mode="after")
    def _bounds(self, info: ValidationInfo) -> NodePool:
        check_relations(self, info, pool_relations)
        return self

    @property
    def desired(self) -> int:
        return self.min_size if self.desired_size is None else self.desired_size


class GpuPool(NodePool):
    """A GPU node pool. `accelerator` is required on GCP (the GPU attached to each node)."""

    name: Label
    """Pool name (lowercase label)."""
    min_size: int = Field(default=0, ge=0, le=1000)
    """Fewest nodes (0 lets an idle pool scale to zero)."""
    max_size: int = Field(default=2, ge=1, le=1000)
    """Most nodes."""
    disk_size_gb: int = Field(default=200, ge=50, le=16384)
    """Encrypted root volume size (model images are large)."""
    accelerator: str | None = None
    """GPU type, required on GCP (e.g. nvidia-l4); implied by the instance type elsewhere."""


class Cluster(SectionModel):
    """The GPU Kubernetes cluster. The API endpoint is private unless explicitly opened."""

    kubernetes_version: str = Field(default="1.33", pattern=r"^1\.\d{2}$")
    """Kubernetes minor version."""
    system_pool: NodePool | None = None
    """Pool for system add-ons; defaults per cloud."""
    gpu_pools: list[GpuPool] = Field(default_factory=list)
    """GPU node pools, tainted nvidia.com/gpu so only GPU workloads land there."""
    # Opening the API endpoint takes this flag *and* a non-empty allow-list (never 0.0.0.0/0).
    endpoint_public_access: bool = False
    """Expose the Kubernetes API beyond the private network (CIS: keep false)."""
    public_access_cidrs: list[Cidr] = Field(default_factory=list)
    """Who may reach a public API endpoint; required when it is public."""

    @model_validator(mode="after")
    def _public_endpoint_needs_allow_list(self, info: ValidationInfo) -> Cluster:
        check_relations(self, info, cluster_relations)
        return self


class Registry(SectionModel):
    """The container/model image registry (always immutable tags, scan on push, CMK)."""

    name: Label = "models"
    """Repository name."""
    keep_images: int = Field(default=30, ge=1, le=1000)
    """Images kept per repository by the lifecycle policy."""


class DataStore(SectionModel):
    """An encrypted, private, audited data store: objects (S3, Blob, GCS), or a managed DICOM
    or FHIR store (HealthImaging / HealthLake, Health Data Services, Cloud Healthcare)."""

    name: Label
    """Store name (lowercase label)."""
    kind: Literal["objects", "dicom", "fhir"] = "objects"
    """objects (an object store), dicom (medical images) or fhir (FHIR R4 clinical data)."""
    purpose: Literal["models", "data", "logs"] = "data"
    """What the store holds."""
    # HIPAA 164.316(b)(2): PHI stores keep objects locked for six years unless told otherwise.
    retention_days: int | None = Field(default=None, ge=1, le=36500)
    """Object-lock retention; default six years on PHI stacks (objects stores only)."""
