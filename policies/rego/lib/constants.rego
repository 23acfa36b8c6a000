# Generated from components/config/constants.py; do not edit. Regenerate with:
#   python -m medinfra.components.config.rego_data --out policies/rego/lib/constants.rego
package medinfra.lib

import rego.v1

phi_classification := "phi"
default_classification := "phi"
min_log_retention_days := 365
model_sha_annotation := "medinfra.io/model-sha256"
model_version_annotation := "medinfra.io/model-version"
model_digest_annotation := "medinfra.io/image-digest"
deployment_mode_annotation := "serving.kserve.io/deploymentMode"
gpu_resource := "nvidia.com/gpu"
