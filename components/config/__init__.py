"""Typed, validated stack config: `PlatformConfig`, read from the `medinfra` config namespace.

A stack file describes one platform (cloud, region, data classification, GPU pools, models).
`load_platform_config` validates all of it at once and raises a single `ConfigError` that lists
every bad key with its value and what is allowed, so a user fixes their stack file in one pass.
Secure settings have secure defaults; nothing here can switch off encryption or scanning.

One module per concern: `constants` (names and defaults shared with the components and the
gate), `value_types`, `catalogue` (what each cloud offers), the section models (`sections`,
`serving`, `policy`, `stack`), `relations` and `checks` (between fields, run once), `errors`
(pydantic's errors as `Problem`s), `loading`, and `rego_data` (the constants the Rego reads).
"""

from medinfra.components.config.catalogue import (
    AWS_GPU_FAMILIES,
    AZURE_GPU_SIZES,
    GCP_ACCELERATORS,
    aws_has_gpu,
    azure_has_gpu,
    gcp_accelerators,
)
from medinfra.components.config.checks import cross_field_problems
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
    MODELS_NAMESPACE,
    NAMESPACE,
    PHI,
    POOL_LABEL,
    SECRET_MARK,
)
from medinfra.components.config.loading import (
    from_pulumi,
    json_schema,
    load_platform_config,
    parse_raw,
)
from medinfra.components.config.policy import CheckovSelection, PolicySettings
from medinfra.components.config.problems import ConfigError, Problem
from medinfra.components.config.relations import (
    cluster_relations,
    endpoint_access_problems,
    model_relations,
    network_relations,
    pool_relations,
)
from medinfra.components.config.sections import (
    Cluster,
    DataStore,
    GpuPool,
    Network,
    NodePool,
    Registry,
    Tags,
)
from medinfra.components.config.serving import Model, ModelApproval, Serving
from medinfra.components.config.stack import PlatformConfig
from medinfra.components.config.value_types import (
    Cidr,
    Label,
    NetworkCidr,
    NonEmpty,
    PrivateCidr,
    Quantity,
)

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
