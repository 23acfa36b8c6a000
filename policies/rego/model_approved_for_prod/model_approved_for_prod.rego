# METADATA
# title: Only clinically approved model versions serve in production
# description: >-
#   Deployable is not the same as clinically eligible. A model version may serve in production
#   only if the stack config records its approval (medinfra:models[].approval, or the approval
#   of one of medinfra:models[].versions, with a ticket and an approver), and the version and
#   sha256 being served are the ones that were approved.
# custom:
#   id: MED-SRV-005
#   severity: critical
#   controls:
#     hipaa: ["164.308(a)(1)(ii)(B)", "164.312(c)(1)"]
#     gdpr: ["Art.5(2)", "Art.22(3)", "Art.35"]
#     cis: []
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#   remediation: >-
#     Add approval {ticket, approvedBy} to the model in medinfra:models after clinical sign-off,
#     and serve exactly the approved version and sha256.
#   waivable: false
#   satisfied_by:
#     k8s:
#       - "components/k8s/isvc_spec.py: IsvcInputs.sha256 / IsvcInputs.version / render()"
package medinfra.rules.model_approved_for_prod

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/metadata/name": "value",
		"/metadata/annotations/medinfra.io~1model-version": "value",
		"/metadata/annotations/medinfra.io~1model-sha256": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

models[name] contains m if {
	some m in data.medinfra.lib.items(object.get(data.medinfra.lib.config, "models", []))
	name := m.name
}

filled(x) if {
	is_string(x)
	trim_space(x) != ""
}

# The versions a model lists (`versions`), or the model itself in the single-version form.
entries(m) := m.versions if is_array(m.versions)

entries(m) := [m] if not is_array(m.versions)

approved(isvc) if {
	some m in data.medinfra.lib.items(models[isvc.props.metadata.name])
	some model in entries(m)
	is_object(model)
	filled(model.approval.ticket)
	filled(model.approval.approvedBy)
	annotations := object.get(data.medinfra.lib.obj(isvc.props.metadata), "annotations", {})
	annotations[data.medinfra.lib.model_version_annotation] == model.version
	annotations[data.medinfra.lib.model_sha_annotation] == model.sha256
}

deny contains finding if {
	data.medinfra.lib.is_prod
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	not approved(isvc)
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s serves a model version without a recorded clinical approval (ticket and approver) matching its version and sha256", [isvc.name]))
}
