"""Serving sections of the stack config: the models to serve and how KServe serves them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from medinfra.components.config.base import SectionModel, check_relations
from medinfra.components.config.constants import DEFAULT_MAX_REPLICAS
from medinfra.components.config.model_versions import (
    ModelApproval,
    ModelVersionSpec,
    PromotionRecord,
    ReleasedVersion,
)
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


class Model(SectionModel):
    """A model served with KServe: one version (the single-version form: version, storageUri,
    sha256, imageDigest, approval at the top) or `versions` through candidate, canary and prod."""

    name: Label
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
    gpu: int = Field(default=1, ge=0, le=16)
    cpu: Quantity = "2"
    memory: Quantity = "8Gi"
    min_replicas: int | None = Field(default=None, ge=0, le=100)
    max_replicas: int = Field(default=DEFAULT_MAX_REPLICAS, ge=1, le=100)
    version: ModelVersion | None = None
    """Single-version form: the version served (as prod)."""
    storage_uri: NonEmpty | None = None
    sha256: Sha256 | None = None
    image_digest: ImageDigest | None = None
    """Digest (sha256:<64 hex>) of the model-server image in this stack's registry. Pods run
    the image by digest, never by a mutable tag."""
    canary_percent: int | None = Field(default=None, ge=0, le=100)
    approval: ModelApproval | None = None
    data_stores: list[Label] = Field(default_factory=list)
    """DICOM or FHIR stores (dataStores[].name) the model reads; it gets read access to those
    and nothing wider."""
    versions: list[ModelVersionSpec] | None = None
    """The model's versions, each at a stage: exactly one prod, at most one canary, any number
    of candidates (recorded, not served). Edited by `medinfra promote`."""
    previous_prod: list[ReleasedVersion] = Field(default_factory=list)
    """Versions that served as prod before, oldest first: `promote rollback` returns to the
    last one."""
    promotions: list[PromotionRecord] = Field(default_factory=list)
    """What `medinfra promote` did to this model, oldest first."""

    @model_validator(mode="after")
    def _replicas(self, info: ValidationInfo) -> Model:
        check_relations(self, info, model_relations)
        return self

    def prod(self) -> ModelVersionSpec:
        """The version in prod (the single-version form's one version)."""
        if self.versions is None:
            return ModelVersionSpec(
                version=self.version, stage="prod", storage_uri=self.storage_uri,
                sha256=self.sha256, image_digest=self.image_digest, approval=self.approval)
        return next(v for v in self.versions if v.stage == "prod")

    def canary(self) -> ModelVersionSpec | None:
        """The canary version, if any."""
        return next((v for v in self.versions or [] if v.stage == "canary"), None)

    def deployed(self) -> list[ModelVersionSpec]:
        """The versions that get traffic: prod, and the canary."""
        return [v for v in (self.prod(), self.canary()) if v is not None]

    def served(self, mode: str) -> tuple[ModelVersionSpec, int | None]:
        """(version the InferenceService's predictor runs, canary traffic share or None).

        Knative keeps the last fully rolled-out revision (prod) and sends the canary its share;
        Standard mode cannot split traffic (config validation refuses a canary there)."""
        canary = self.canary()
        if canary is not None and mode == "Knative":
            return canary, canary.canary_traffic_percent
        return self.prod(), self.canary_percent


def deployed_keys(i: int, model: Model) -> list[tuple[str, ModelVersionSpec]]:
    """(stack-file key of its storageUri, version) for each version of models[i] that gets
    traffic, so a problem names the key to fix."""
    if model.versions is None:
        return [(f"models[{i}].storageUri", model.prod())]
    return [(f"models[{i}].versions[{j}].storageUri", v) for j, v in enumerate(model.versions)
            if v.stage in ("prod", "canary")]


def model_places(
    models: Sequence[Model], locate: Callable[[str], tuple[str, str] | None], expected: str
) -> tuple[dict[str, set[tuple[str, str]]], list[tuple[str, str]]]:
    """Model name -> the (store, path) of each of its versions that gets traffic, where
    `locate` places a storage URI in a store of this stack (None: in none of them, as
    `expected` shows); and the problems: a URI outside the stores, versions in two stores."""
    found: dict[str, set[tuple[str, str]]] = {}
    problems: list[tuple[str, str]] = []
    for i, model in enumerate(models):
        places = set()
        for key, version in deployed_keys(i, model):
            place = locate(version.storage_uri)
            if place is None:
                problems.append(
                    (key, f"{version.storage_uri} is not in a store of this stack ({expected})"))
                continue
            places.add(place)
        stores = {store for store, _ in places}
        if len(stores) > 1:
            listed = ", ".join(sorted(stores))
            problems.append((f"models[{i}].versions", f"prod and canary are in different stores "
                             f"({listed}); keep a model's versions in one store"))
        elif places:
            found[model.name] = places
    return found, problems


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
