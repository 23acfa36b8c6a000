"""Names and defaults that the config, the components and the policy gate must agree on.

This module is the one place each of them is written down. The components import it, the gate's
Python imports it, and the gate's Rego reads the values it needs from
`policies/rego/lib/constants.rego`, generated from here (see `rego_data`).
"""

from __future__ import annotations

from typing import Final, Literal, get_args

#: The stack config namespace: every key is `medinfra:<key>`.
NAMESPACE: Final = "medinfra"
Cloud = Literal["aws", "azure", "gcp"]
CLOUDS: Final = get_args(Cloud)
#: What a secret value is replaced by wherever it could be printed.
SECRET_MARK: Final = "[secret]"

Classification = Literal["phi", "deidentified", "public"]
#: Protected health information: the strictest classification.
PHI: Final = "phi"
#: A stack that does not say what data it handles is treated as handling PHI.
DEFAULT_CLASSIFICATION: Final[Classification] = PHI

#: HIPAA 164.316(b)(2): records are kept six years (PHI stores, access and audit logs).
HIPAA_RETENTION_DAYS: Final = 6 * 365
#: The shortest log retention the gate accepts unless a stack asks for more (one year).
MIN_LOG_RETENTION_DAYS: Final = 365

#: Namespace the model servers run in (the serving components create it).
MODELS_NAMESPACE: Final = "models"
#: InferenceService annotation carrying the model's sha256 (the gate checks it in prod).
MODEL_SHA_ANNOTATION: Final = "medinfra.io/model-sha256"
#: InferenceService annotation carrying the model's version (the gate matches it to approvals).
MODEL_VERSION_ANNOTATION: Final = "medinfra.io/model-version"
#: InferenceService annotation carrying the model-server image digest (bound to the approval).
MODEL_DIGEST_ANNOTATION: Final = "medinfra.io/image-digest"
#: KServe's annotation choosing the deployment mode (canary traffic needs Knative).
DEPLOYMENT_MODE_ANNOTATION: Final = "serving.kserve.io/deploymentMode"

#: The extended resource (and taint key) of an NVIDIA GPU.
GPU_RESOURCE: Final = "nvidia.com/gpu"
#: Node label set on GPU nodes; model pods select it.
GPU_LABEL: Final = "nvidia.com/gpu.present"
#: Node label naming the node pool a node belongs to.
POOL_LABEL: Final = "medinfra.io/pool"
#: Node label naming the GPU a node carries.
ACCELERATOR_LABEL: Final = "medinfra.io/accelerator"

#: Default address ranges of the platform network (config keys network.*).
DEFAULT_RANGES: Final = {
    "cidr": "10.40.0.0/16",
    "serviceCidr": "172.20.0.0/16",
    "podCidr": "100.64.0.0/14",
}
#: Most replicas of a model server when a model names none.
DEFAULT_MAX_REPLICAS: Final = 3
