# METADATA
# title: Production model serving survives the loss of a node
# description: >-
#   A clinical model that goes down with one node interrupts care. In production, every
#   InferenceService component keeps at least two replicas (minReplicas >= 2), and in Standard
#   mode a PodDisruptionBudget of this plan protects its pods during node drains and upgrades.
# custom:
#   id: MED-SRV-004
#   severity: medium
#   controls:
#     hipaa: ["164.308(a)(7)(ii)(C)", "164.312(a)(2)(ii)"]
#     gdpr: ["Art.32(1)(b)", "Art.32(1)(c)"]
#     cis: []
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#     - kubernetes:policy/v1:PodDisruptionBudget
#   remediation: >-
#     Set minReplicas 2 or more for production models (MedInfra's default in prod) and keep the
#     PodDisruptionBudget MedInfra creates for Standard-mode services.
#   waivable: true
#   satisfied_by:
#     k8s:
#       - "components/k8s/isvc_spec.py: IsvcInputs.min_replicas / render()"
#       - "components/k8s/inference_service.py: InferenceService"
package medinfra.rules.prod_serving_highly_available

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/spec/*/minReplicas": "value",
		"/metadata/annotations/serving.kserve.io~1deploymentMode": "value",
		"/metadata/name": "value",
		"/metadata/namespace": "value",
	},
	"kubernetes:policy/v1:PodDisruptionBudget": {
		"/spec/selector/matchLabels": "value",
		"/metadata/namespace": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

budgets contains value if {
	some p in data.medinfra.lib.of_type("kubernetes:policy/v1:PodDisruptionBudget")
	name := p.props.spec.selector.matchLabels["serving.kserve.io/inferenceservice"]
	value := sprintf("%s/%s", [object.get(data.medinfra.lib.obj(p.props.metadata), "namespace", "default"), name])
}

deny contains finding if {
	data.medinfra.lib.is_prod
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	some component, spec in data.medinfra.lib.items(object.get(data.medinfra.lib.obj(isvc.props), "spec", {}))
	is_object(spec)
	not spec.minReplicas >= 2
	finding := data.medinfra.lib.finding(isvc, sprintf("production InferenceService %s %s keeps fewer than 2 replicas (minReplicas %v)", [isvc.name, component, object.get(data.medinfra.lib.obj(spec), "minReplicas", "not set")]))
}

deny contains finding if {
	data.medinfra.lib.is_prod
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	object.get(data.medinfra.lib.obj(isvc.props), ["metadata", "annotations", data.medinfra.lib.deployment_mode_annotation], "") in {"Standard", "RawDeployment"}
	not sprintf("%s/%s", [object.get(data.medinfra.lib.obj(isvc.props.metadata), "namespace", "default"), isvc.props.metadata.name]) in budgets
	finding := data.medinfra.lib.finding(isvc, sprintf("production InferenceService %s has no PodDisruptionBudget", [isvc.name]))
}
