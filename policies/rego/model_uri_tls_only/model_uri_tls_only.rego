# METADATA
# title: Model servers fetch models over encrypted connections only
# description: >-
#   A model downloaded over plain http:// can be read or swapped in transit, and a swapped
#   model is a patient-safety risk. InferenceService storage URIs use the cloud store's
#   protocol (s3://, gs://, https:// to Azure Blob, pvc://, oci://), never http://.
# custom:
#   id: MED-TLS-002
#   severity: critical
#   controls:
#     hipaa: ["164.312(e)(1)", "164.312(c)(1)"]
#     gdpr: ["Art.32(1)(a)"]
#     cis: []
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#   remediation: >-
#     Point spec.predictor.model.storageUri at the stack's encrypted store (s3://, gs:// or
#     https://<account>.blob.core.windows.net/...); never use http://.
#   waivable: false
#   satisfied_by:
#     k8s:
#       - "components/k8s/inference_service.py: _validate()"
#       - "components/k8s/isvc_spec.py: IsvcInputs.storage_uri"
package medinfra.rules.model_uri_tls_only

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/spec/*/model/storageUri": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

secure_schemes := {"s3", "gs", "https", "pvc", "oci", "hf"}

deny contains finding if {
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	some component, spec in data.medinfra.lib.items(object.get(data.medinfra.lib.obj(isvc.props), "spec", {}))
	uri := spec.model.storageUri
	not lower(split(uri, "://")[0]) in secure_schemes
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s %s fetches its model from %v, not over an encrypted protocol", [isvc.name, component, uri]))
}
