"""Serving sections of the stack config: the models to serve and how KServe serves them."""

from __future__ import annotations

from typing import Literal

from medinfra.components.config.base import SectionModel, check_relations
from medinfra.components.config.constants import DEFAULT_MAX_REPLICAS
from medinfra.components.config.relations import model_relations
from medinfra.components.config.value_types import (
    ImageDigest,
    Label,
    ModelVersion,
    NonEmpty,
    Quantity,
    Sha256,
)
from pydantic import Field, ValidationInfo, model_validator


class ModelApproval(SectionModel):
    """Who approved a model version for clinical use, and under which ticket."""

    ticket: NonEmpty
    """Change/approval ticket."""
    approved_by: NonEmpty
    """Who approved the model for clinical use."""


class Model(SectionModel):
    """A model version to serve with KServe."""

    name: Label
    version: ModelVersion
    storage_uri: NonEmpty
    sha256: Sha256
    format: Literal[
        "pytorch",
        "onnx",
        "tensorflow",
        "triton",
        "sklearn",
        "xgboost",
        "lightgbm",
        "huggingface",
    ]
    runtime: str | None = None
    image_digest: ImageDigest
    """Digest (sha256:<64 hex>) of the model-server image in this stack's registry. Pods run
    the image by digest, never by a mutable tag."""
    gpu: int = Field(default=1, ge=0, le=16)
    cpu: Quantity = "2"
    memory: Quantity = "8Gi"
    canary_percent: int | None = Field(default=None, ge=0, le=100)
    min_replicas: int | None = Field(default=None, ge=0, le=100)
    max_replicas: int = Field(default=DEFAULT_MAX_REPLICAS, ge=1, le=100)
    approval: ModelApproval | None = None
    data_stores: list[Label] = Field(default_factory=list)
    """DICOM or FHIR stores (dataStores[].name) the model reads; it gets read access to those
    and nothing wider."""

    @model_validator(mode="after")
    def _replicas(self, info: ValidationInfo) -> Model:
        check_relations(self, info, model_relations)
        return self


class ChartDigests(SectionModel):
    """Digests (sha256:<64 hex>) of the KServe OCI charts at the pinned version, as the
    registry serves them (`helm pull oci://ghcr.io/kserve/charts/<chart> --version <v>` prints
    each): Helm then pulls exactly those bytes."""

    kserve_crd: ImageDigest
    kserve_resources: ImageDigest


class Serving(SectionModel):
    """How KServe serves models on this stack."""

    # Standard (plain Deployments + HPA) needs no Knative/Istio; Knative adds scale-to-zero and
    # canary traffic splitting. A service's mode cannot change after creation.
    deployment_mode: Literal["Standard", "Knative"] = "Standard"
    """KServe deployment mode (Standard, formerly RawDeployment; Knative, formerly Serverless)."""
    storage_initializer_digest: ImageDigest | None = None
    """Digest (sha256:<64 hex>) of KServe's storage-initializer image, mirrored into this
    stack's registry. It runs as an init container in every model pod (it fetches the weights),
    so it is pinned like the model-server image; required when models are configured."""
    kserve_chart_digests: ChartDigests | None = None
    """Digests of the KServe Helm charts (OCI) at the pinned version; required when models are
    configured, so the charts installed are exactly those reviewed."""
