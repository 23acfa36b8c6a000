"""What a reference stack's file says about its DICOM/FHIR stores and which model reads which:
the expectations the per-cloud health-store tests hold each planned resource to."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from tests.conftest import REPO

REQUIRED_TAGS = {"owner", "costCenter", "environment", "dataClassification", "managed-by"}


@dataclass(frozen=True)
class HealthConfig:
    region: str
    allowed_regions: list[str]
    stores: dict[str, str]
    """Store name -> kind (dicom, fhir)."""
    reads: dict[str, list[str]]
    """Model name -> the stores its `dataStores` names (every model, [] when none)."""


def health_config(stack: str) -> HealthConfig:
    config = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    stores = {
        s["name"]: s["kind"]
        for s in config.get("medinfra:dataStores", [])
        if s.get("kind", "objects") != "objects"
    }
    reads = {m["name"]: list(m.get("dataStores", [])) for m in config.get("medinfra:models", [])}
    return HealthConfig(
        config["medinfra:region"], config["medinfra:allowedRegions"], stores, reads
    )
