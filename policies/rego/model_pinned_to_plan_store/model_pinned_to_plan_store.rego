# METADATA
# title: Production models are pinned by sha256 and loaded from a store of this plan
# description: >-
#   In production, the model a clinician relies on must be exactly the validated artefact. Every
#   production InferenceService carries the model's sha256 (annotation medinfra.io/model-sha256)
#   and loads the model from an object store this plan creates (so it is encrypted, private,
#   versioned and logged), not from an arbitrary location.
# custom:
#   id: MED-SRV-001
#   severity: high
#   controls:
#     hipaa: ["164.312(c)(1)", "164.312(c)(2)"]
#     gdpr: ["Art.32(1)(b)", "Art.5(1)(d)"]
#     cis: []
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#   remediation: >-
#     Set medinfra:models[].sha256 and a storageUri in one of the stack's data stores
#     (s3://<bucket>/..., gs://<bucket>/... or https://<account>.blob.core.windows.net/...);
#     MedInfra's InferenceService writes the annotation.
#   waivable: false
#   satisfied_by:
#     k8s:
#       - "components/k8s/isvc_spec.py: IsvcInputs.storage_uri / render()"
package medinfra.rules.model_pinned_to_plan_store

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/metadata/annotations/medinfra.io~1model-sha256": "value",
		"/spec/*/model/storageUri": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

plan_stores contains value if {
	some b in data.medinfra.lib.of_type("aws:s3/bucket:Bucket")
	value := b.props.bucket
}

plan_stores contains value if {
	some b in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	value := b.props.name
}

plan_stores contains value if {
	some a in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	value := a.props.accountName
}

store_of(uri) := split(trim_prefix(uri, "s3://"), "/")[0] if startswith(uri, "s3://")

store_of(uri) := split(trim_prefix(uri, "gs://"), "/")[0] if startswith(uri, "gs://")

store_of(uri) := split(split(trim_prefix(uri, "https://"), "/")[0], ".")[0] if {
	regex.match(`^https://[a-z0-9]+\.blob\.core\.windows\.net/`, uri)
}

deny contains finding if {
	data.medinfra.lib.is_prod
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	annotation := data.medinfra.lib.model_sha_annotation
	not regex.match(`^[0-9a-f]{64}$`, object.get(data.medinfra.lib.obj(isvc.props), ["metadata", "annotations", annotation], ""))
	finding := data.medinfra.lib.finding(isvc, sprintf("production InferenceService %s does not pin its model by sha256 (annotation %s)", [isvc.name, annotation]))
}

deny contains finding if {
	data.medinfra.lib.is_prod
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	some component, spec in data.medinfra.lib.items(object.get(data.medinfra.lib.obj(isvc.props), "spec", {}))
	is_object(spec.model)
	uri := object.get(data.medinfra.lib.obj(spec.model), "storageUri", "")
	not store_of(uri) in plan_stores
	finding := data.medinfra.lib.finding(isvc, sprintf("production InferenceService %s %s loads its model from %v, not from a store of this plan", [isvc.name, component, uri]))
}
