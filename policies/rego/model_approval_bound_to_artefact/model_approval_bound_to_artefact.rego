# METADATA
# title: Production traffic goes only to the approved artefact, and rollbacks only to approved versions
# description: >-
#   A clinical approval holds for one artefact: the model weights (sha256) and the model-server
#   image (digest). On a production stack, every version that takes patient traffic (the prod
#   version, and a canary with a traffic share) carries an approval that names exactly its
#   sha256 and imageDigest, with a ticket, an approver and a date, and that has not expired on
#   the day the gate judges. Each InferenceService serves such a version: its sha256 and
#   image-digest annotations, and its image's digest where known, are those of an approved
#   version of the model. Every earlier prod version kept for rollback (previousProd) was
#   approved for its own artefact, so a rollback can only return to an approved version.
# custom:
#   id: MED-SRV-006
#   severity: critical
#   controls:
#     hipaa: ["164.308(a)(1)(ii)(B)", "164.312(c)(1)", "164.308(a)(8)"]
#     gdpr: ["Art.5(2)", "Art.22(3)", "Art.35"]
#     cis: []
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#   remediation: >-
#     Record the approval on the version with `medinfra promote` (ticket, approver, date, the
#     version's sha256 and imageDigest, optional expiry), renew an expired approval, serve only
#     versions listed in medinfra:models[].versions, and keep in previousProd only versions
#     that were approved.
#   waivable: false
#   satisfied_by:
#     k8s:
#       - "components/k8s/isvc_spec.py: IsvcInputs.image_digest / IsvcInputs.sha256 / render()"
#       - "components/k8s/compose.py: build()"
package medinfra.rules.model_approval_bound_to_artefact

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/metadata/name": "value",
		"/metadata/annotations/medinfra.io~1model-sha256": "value",
		"/metadata/annotations/medinfra.io~1image-digest": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

isvc_type := "kubernetes:serving.kserve.io/v1beta1:InferenceService"

# The day the gate judges expiry by (the gate passes it; undefined without one).
gate_date := d if {
	d := input.gate.date
	is_string(d)
}

filled(x) if {
	is_string(x)
	trim_space(x) != ""
}

# Models by name (a name listed twice keeps every entry).
models[name] contains m if {
	some m in data.medinfra.lib.items(object.get(data.medinfra.lib.config, "models", []))
	is_object(m)
	name := m.name
}

# The versions of a model that take traffic: prod, and a canary with a share; the
# single-version form is one prod version.
live(m) := s if {
	is_array(m.versions)
	s := {v |
		some v in m.versions
		is_object(v)
		v.stage == "prod"
	} | {v |
		some v in m.versions
		is_object(v)
		v.stage == "canary"
		object.get(v, "canaryTrafficPercent", 0) > 0
	}
}

live(m) := {m} if not is_array(m.versions)

# Why `approval` does not let the artefact `v` take prod traffic (undefined: it does).
problem(v, approval) := "it has no approval" if {
	not is_object(approval)
} else := sprintf("its approval has no %s", [k]) if {
	some k in ["ticket", "approvedBy", "date", "sha256", "imageDigest"]
	not filled(approval[k])
} else := sprintf("its approval is for %s %s, not %s", [k, approval[k], object.get(v, k, "(none)")]) if {
	some k in ["sha256", "imageDigest"]
	approval[k] != object.get(v, k, null)
} else := sprintf("its approval expires on %s and the gate was given no date to judge it by", [approval.expires]) if {
	filled(approval.expires)
	not gate_date
} else := sprintf("its approval expired on %s (judged on %s)", [approval.expires, gate_date]) if {
	filled(approval.expires)
	approval.expires < gate_date
}

approved(v) if not problem(v, object.get(v, "approval", null))

annotation(isvc, key) := object.get(data.medinfra.lib.obj(isvc.props.metadata), ["annotations", key], null)

# The InferenceService serves an approved live version of its model.
serves_approved(isvc) if {
	some m in models[isvc.props.metadata.name]
	some v in live(m)
	v.sha256 == annotation(isvc, data.medinfra.lib.model_sha_annotation)
	v.imageDigest == annotation(isvc, data.medinfra.lib.model_digest_annotation)
	approved(v)
}

deny contains finding if {
	data.medinfra.lib.is_prod
	some isvc in data.medinfra.lib.of_type(isvc_type)
	not serves_approved(isvc)
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s serves sha256 %v with image %v, which is not a version of its model approved for exactly that artefact (sha256 and imageDigest), unexpired", [isvc.name, annotation(isvc, data.medinfra.lib.model_sha_annotation), annotation(isvc, data.medinfra.lib.model_digest_annotation)]))
}

# The image actually run is the annotated one (where the image is known at preview).
deny contains finding if {
	some isvc in data.medinfra.lib.of_type(isvc_type)
	some component, spec in data.medinfra.lib.items(object.get(data.medinfra.lib.obj(isvc.props), "spec", {}))
	image := spec.model.image
	is_string(image)
	not data.medinfra.lib.is_unknown(image)
	contains(image, "@")
	digest := split(image, "@")[1]
	digest != annotation(isvc, data.medinfra.lib.model_digest_annotation)
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s %s runs image digest %s but %s", [isvc.name, component, digest, annotated_as(isvc)]))
}

# What the InferenceService says it runs (its image-digest annotation), for the message above.
annotated_as(isvc) := sprintf("has no %s annotation naming it (nor an approval for it)", [data.medinfra.lib.model_digest_annotation]) if {
	annotation(isvc, data.medinfra.lib.model_digest_annotation) == null
} else := sprintf("is annotated (and approved) as %v", [annotation(isvc, data.medinfra.lib.model_digest_annotation)])

# Every live version of a served model is approved (in Knative mode the prod revision is not
# in the InferenceService's spec, so the config is what says what takes prod traffic).
deny contains finding if {
	data.medinfra.lib.is_prod
	some isvc in data.medinfra.lib.of_type(isvc_type)
	some m in models[isvc.props.metadata.name]
	some v in live(m)
	reason := problem(v, object.get(v, "approval", null))
	finding := data.medinfra.lib.finding(isvc, sprintf("model %s version %v (%s) takes production traffic but %s", [m.name, object.get(v, "version", "?"), object.get(v, "stage", "prod"), reason]))
}

# A rollback target must have been approved for its own artefact (expiry aside: an expired
# approval blocks the version once it serves again, above).
rollback_problem(v) := reason if {
	reason := problem(v, object.get(v, "approval", null))
	not startswith(reason, "its approval expire")
}

deny contains finding if {
	some isvc in data.medinfra.lib.of_type(isvc_type)
	some m in models[isvc.props.metadata.name]
	some v in data.medinfra.lib.items(object.get(m, "previousProd", []))
	reason := rollback_problem(v)
	finding := data.medinfra.lib.finding(isvc, sprintf("model %s keeps version %v as a rollback target but %s: a rollback may only return to a previously approved version", [m.name, object.get(v, "version", "?"), reason]))
}
