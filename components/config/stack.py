"""`PlatformConfig`: everything one stack says about its platform, and its derived defaults."""

from __future__ import annotations

from typing import Any, Literal

from medinfra.components.config.base import RELATIONS_CHECKED, SectionModel
from medinfra.components.config.catalogue import DEFAULT_SYSTEM_POOL
from medinfra.components.config.constants import (
    DEFAULT_CLASSIFICATION,
    HIPAA_RETENTION_DAYS,
    PHI,
    Classification,
    Cloud,
)
from medinfra.components.config.policy import PolicySettings
from medinfra.components.config.sections import (
    Cluster,
    DataStore,
    Network,
    NodePool,
    Registry,
    Tags,
)
from medinfra.components.config.serving import Model, Serving
from medinfra.components.config.value_types import NonEmpty
from pydantic import Field


class PlatformConfig(SectionModel):
    """Everything one stack says about its platform (the `medinfra:*` config keys)."""

    cloud: Cloud
    """Cloud to deploy to."""
    environment: Literal["dev", "staging", "prod"]
    """Environment; prod gets three zones, HA replicas and stricter settings."""
    region: NonEmpty
    """Region of every regional resource; must be one of allowedRegions."""
    data_classification: Classification = DEFAULT_CLASSIFICATION
    """Data the stack handles; PHI (the default) turns on object lock and retention."""
    allowed_regions: list[NonEmpty] = Field(min_length=1)
    """Regions data may live in (GDPR Art.44-49 data residency)."""
    tags: Tags
    """Tags for every taggable resource; owner and costCenter are required."""
    network: Network = Field(default_factory=Network)
    """Private address space of the platform."""
    cluster: Cluster = Field(default_factory=Cluster)
    """GPU Kubernetes cluster: version, system pool, GPU pools, API endpoint exposure."""
    registry: Registry = Field(default_factory=Registry)
    """Container/model image registry."""
    data_stores: list[DataStore] = Field(
        default_factory=lambda: [DataStore(name="models", purpose="models")]
    )
    """Encrypted data stores (objects, dicom, fhir); the default is one object store for model
    artifacts."""
    models: list[Model] = Field(default_factory=list)
    """Model versions to serve with KServe."""
    serving: Serving = Field(default_factory=Serving)
    """Model serving settings (KServe deployment mode)."""
    policy: PolicySettings = Field(default_factory=PolicySettings)
    """Policy gate settings for this stack (enforcement overrides)."""

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def is_phi(self) -> bool:
        """The stack handles protected health information."""
        return self.data_classification == PHI

    @property
    def availability_zones(self) -> int:
        """AZ count: as configured, else 3 in prod and 2 elsewhere."""
        return self.network.availability_zones or (3 if self.is_prod else 2)

    @property
    def system_pool(self) -> NodePool:
        return self.cluster.system_pool or NodePool(instance_type=DEFAULT_SYSTEM_POOL[self.cloud])

    def min_replicas(self, model: Model) -> int:
        """Minimum replicas: as configured, else 2 in prod (no single point of failure)."""
        if model.min_replicas is not None:
            return model.min_replicas
        return min(2 if self.is_prod else 1, model.max_replicas)

    @property
    def object_stores(self) -> list[DataStore]:
        """The stores of kind `objects` (buckets, storage accounts)."""
        return [s for s in self.data_stores if s.kind == "objects"]

    @property
    def health_stores(self) -> list[DataStore]:
        """The managed DICOM and FHIR stores."""
        return [s for s in self.data_stores if s.kind != "objects"]

    def retention_days(self, store: DataStore) -> int | None:
        """Object-lock retention: as configured, else six years for PHI, none otherwise (and
        none for DICOM and FHIR stores, which have no object lock)."""
        if store.kind != "objects":
            return None
        if store.retention_days is not None:
            return store.retention_days
        return HIPAA_RETENTION_DAYS if self.is_phi else None


def validate_structure(raw: dict[str, Any]) -> PlatformConfig:
    """Validate every field of `raw`, leaving the relations between fields to the caller (who
    checks them once, on the raw input). Raises pydantic's ValidationError."""
    return PlatformConfig.model_validate(raw, context={RELATIONS_CHECKED: True})
