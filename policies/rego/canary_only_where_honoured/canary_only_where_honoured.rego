# METADATA
# title: Canary traffic is only configured where KServe honours it
# description: >-
#   A canary percentage promises that only a fraction of patients see a new model version. KServe
#   honours canaryTrafficPercent only in Knative (Serverless) mode; in Standard (RawDeployment)
#   mode it is silently ignored and the new version takes all traffic (kserve#5335). An
#   InferenceService may set canaryTrafficPercent only when its deploymentMode annotation is
#   Knative or Serverless.
# custom:
#   id: MED-SRV-002
#   severity: high
#   controls:
#     hipaa: ["164.308(a)(8)"]
#     gdpr: ["Art.32(1)(d)"]
#     cis: []
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#   remediation: >-
#     Remove canaryPercent from the model, or set medinfra:serving.deploymentMode Knative (the
#     annotation serving.kserve.io/deploymentMode: Knative) so the split is enforced.
#   waivable: false
#   satisfied_by:
#     k8s:
#       - "components/k8s/inference_service.py: _validate()"
#       - "components/k8s/isvc_spec.py: IsvcInputs.canary_percent / IsvcInputs.mode / render()"
package medinfra.rules.canary_only_where_honoured

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/spec/*/canaryTrafficPercent": "value",
		"/metadata/annotations/serving.kserve.io~1deploymentMode": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

honouring_modes := {"Knative", "Serverless"}

deny contains finding if {
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	some component, spec in data.medinfra.lib.items(object.get(data.medinfra.lib.obj(isvc.props), "spec", {}))
	is_object(spec)
	percent := spec.canaryTrafficPercent
	mode := object.get(data.medinfra.lib.obj(isvc.props), ["metadata", "annotations", data.medinfra.lib.deployment_mode_annotation], "(not set)")
	not mode in honouring_modes
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s %s asks for %v%% canary traffic, which deployment mode %s ignores", [isvc.name, component, percent, mode]))
}
