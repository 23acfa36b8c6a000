"""Typed, validated stack config: `PlatformConfig`, read from the `medinfra` config namespace.

A stack file describes one platform (cloud, region, data classification, GPU pools, models).
`load_platform_config` validates all of it at once and raises a single `ConfigError` that lists
every bad key with its value and what is allowed, so a user fixes their stack file in one pass.
Secure settings have secure defaults; nothing here can switch off encryption or scanning.

One module per concern: `constants` (names and defaults shared with the components and the
gate), `value_types`, `catalogue` (what each cloud offers), the section models (`sections`,
`serving`, `policy`, `stack`), `relations` and `checks` (between fields, run once), `errors`
(pydantic's errors as `Problem`s), `loading`, and `rego_data` (the constants the Rego reads).
The constants and the catalogue load with the package; the rest on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from medinfra.components.config.catalogue import (
    AWS_GPU_FAMILIES,
    AZURE_GPU_SIZES,
    GCP_ACCELERATORS,
    aws_has_gpu,
    azure_has_gpu,
    gcp_accelerators,
)
from medinfra.components.config.constants import (
    ACCELERATOR_LABEL,
    CLOUDS,
    DEFAULT_CLASSIFICATION,
    DEPLOYMENT_MODE_ANNOTATION,
    GPU_LABEL,
    GPU_RESOURCE,
    HIPAA_RETENTION_DAYS,
    MIN_LOG_RETENTION_DAYS,
    MODEL_SHA_ANNOTATION,
    MODEL_VERSION_ANNOTATION,
    MODELS_NAMESPACE,
    NAMESPACE,
    PHI,
    POOL_LABEL,
    SECRET_MARK,
)

#: Public name -> the module that defines it, imported on first use (PEP 562). The policy gate
#: reads `constants` without paying for pydantic's models and Pulumi's runtime.
_LAZY = {
    "cross_field_problems": "checks",
    "from_pulumi": "loading",
    "json_schema": "loading",
    "load_platform_config": "loading",
    "parse_raw": "loading",
    "CheckovSelection": "policy",
    "PolicySettings": "policy",
    "ConfigError": "problems",
    "Problem": "problems",
    "cluster_relations": "relations",
    "endpoint_access_problems": "relations",
    "model_relations": "relations",
    "network_relations": "relations",
    "pool_relations": "relations",
    "Cluster": "sections",
    "DataStore": "sections",
    "GpuPool": "sections",
    "Network": "sections",
    "NodePool": "sections",
    "Registry": "sections",
    "Tags": "sections",
    "Model": "serving",
    "ModelApproval": "serving",
    "Serving": "serving",
    "PlatformConfig": "stack",
    "Cidr": "value_types",
    "Label": "value_types",
    "NetworkCidr": "value_types",
    "NonEmpty": "value_types",
    "PrivateCidr": "value_types",
    "Quantity": "value_types",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "ACCELERATOR_LABEL",
    "AWS_GPU_FAMILIES",
    "AZURE_GPU_SIZES",
    "CLOUDS",
    "DEFAULT_CLASSIFICATION",
    "DEPLOYMENT_MODE_ANNOTATION",
    "GCP_ACCELERATORS",
    "GPU_LABEL",
    "GPU_RESOURCE",
    "HIPAA_RETENTION_DAYS",
    "MIN_LOG_RETENTION_DAYS",
    "MODELS_NAMESPACE",
    "MODEL_SHA_ANNOTATION",
    "MODEL_VERSION_ANNOTATION",
    "NAMESPACE",
    "PHI",
    "POOL_LABEL",
    "SECRET_MARK",
    "CheckovSelection",
    "Cidr",
    "Cluster",
    "ConfigError",
    "DataStore",
    "GpuPool",
    "Label",
    "Model",
    "ModelApproval",
    "Network",
    "NetworkCidr",
    "NodePool",
    "NonEmpty",
    "PlatformConfig",
    "PolicySettings",
    "PrivateCidr",
    "Problem",
    "Quantity",
    "Registry",
    "Serving",
    "Tags",
    "aws_has_gpu",
    "azure_has_gpu",
    "cluster_relations",
    "cross_field_problems",
    "endpoint_access_problems",
    "from_pulumi",
    "gcp_accelerators",
    "json_schema",
    "load_platform_config",
    "model_relations",
    "network_relations",
    "parse_raw",
    "pool_relations",
]
