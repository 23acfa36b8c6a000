package medinfra.rules.model_approval_bound_to_artefact_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.model_approval_bound_to_artefact as rule
import rego.v1

# The compliant baseline, judged on a fixed day.
found_with(config) := u if {
	inp := object.union(data.medinfra.fixtures.inventory_with(fx.kserve, config), {"gate": {"date": "2026-06-01"}})
	u := {f.urn | some f in rule.deny} with input as inp
}

messages_with(config) := m if {
	inp := object.union(data.medinfra.fixtures.inventory_with(fx.kserve, config), {"gate": {"date": "2026-06-01"}})
	m := {f.message | some f in rule.deny} with input as inp
}

legacy := fx.config.models[0]

other := "sha256:1111111111111111111111111111111111111111111111111111111111111111"

# The same model in the versions form: prod is the served artefact, a candidate beside it.
prod_version := {
	"version": "1.0", "stage": "prod", "storageUri": "s3://phi-data/chest-xray/1.0/",
	"sha256": fx.sha, "imageDigest": fx.digest, "approval": legacy.approval,
}

candidate := {
	"version": "1.1", "stage": "candidate", "storageUri": "s3://phi-data/chest-xray/1.1/",
	"sha256": concat("", ["0", substring(fx.sha, 1, 63)]), "imageDigest": other,
}

versioned(versions, previous) := [{
	"name": "chest-xray", "format": "pytorch", "versions": versions, "previousProd": previous,
}]

test_compliant_plan_passes if {
	found_with({}) == set()
}

test_versions_form_with_an_unapproved_candidate_passes if {
	found_with({"models": versioned([prod_version, candidate], [])}) == set()
}

test_dev_stack_without_a_bound_approval_passes if {
	found_with({"environment": "dev", "models": [object.remove(legacy, ["approval"])]}) == set()
}

test_approval_for_another_image_digest_fails if {
	found_with({"models": [object.union(legacy, {"approval": {"imageDigest": other}})]}) == {fx.kserve.isvc.urn}
}

test_approval_for_another_sha256_fails if {
	found_with({"models": [object.union(legacy, {"approval": {"sha256": candidate.sha256}})]}) == {fx.kserve.isvc.urn}
}

test_approval_without_the_digest_omitted_fails if {
	bare := object.union(object.remove(legacy, ["approval"]), {"approval": object.remove(legacy.approval, ["imageDigest"])})
	found_with({"models": [bare]}) == {fx.kserve.isvc.urn}
}

test_expired_approval_fails_and_says_when if {
	late := object.union(legacy, {"approval": {"expires": "2026-05-31"}})
	found_with({"models": [late]}) == {fx.kserve.isvc.urn}
	some m in messages_with({"models": [late]})
	contains(m, "expired on 2026-05-31 (judged on 2026-06-01)")
}

test_approval_expiring_on_the_gate_day_passes if {
	found_with({"models": [object.union(legacy, {"approval": {"expires": "2026-06-01"}})]}) == set()
}

test_expiring_approval_without_a_gate_date_fails if {
	inp := data.medinfra.fixtures.inventory_with(fx.kserve, {"models": [object.union(legacy, {"approval": {"expires": "2099-01-01"}})]})
	{f.urn | some f in rule.deny} == {fx.kserve.isvc.urn} with input as inp
}

test_served_digest_that_no_version_lists_fails if {
	moved := object.union(prod_version, {"imageDigest": other, "approval": {"imageDigest": other}})
	found_with({"models": versioned([moved], [])}) == {fx.kserve.isvc.urn}
}

test_unapproved_canary_with_traffic_fails if {
	canary := object.union(candidate, {"stage": "canary", "canaryTrafficPercent": 10})
	found_with({"models": versioned([prod_version, canary], [])}) == {fx.kserve.isvc.urn}
}

test_canary_at_zero_percent_takes_no_traffic_and_passes if {
	canary := object.union(candidate, {"stage": "canary", "canaryTrafficPercent": 0})
	found_with({"models": versioned([prod_version, canary], [])}) == set()
}

test_rollback_target_never_approved_fails if {
	target := object.remove(object.union(candidate, {"version": "0.9"}), ["stage"])
	found_with({"models": versioned([prod_version], [target])}) == {fx.kserve.isvc.urn}
	some m in messages_with({"models": versioned([prod_version], [target])})
	contains(m, "rollback target")
}

test_rollback_target_with_its_own_approval_passes if {
	approval := {"ticket": "CAB-0", "approvedBy": "dr.lindqvist", "date": "2025-10-01", "sha256": candidate.sha256, "imageDigest": other}
	target := object.union(object.remove(candidate, ["stage"]), {"version": "0.9", "approval": approval})
	found_with({"models": versioned([prod_version], [target])}) == set()
}

test_image_other_than_the_annotated_digest_fails if {
	moved := object.union(fx.kserve.isvc, {"props": {"spec": {"predictor": {"model": {"image": concat("", ["registry.example/m@", other])}}}}})
	inp := object.union(data.medinfra.fixtures.inventory(object.union(fx.kserve, {"isvc": moved})), {"gate": {"date": "2026-06-01"}})
	{f.urn | some f in rule.deny} == {fx.kserve.isvc.urn} with input as inp
	some f in rule.deny with input as inp
	contains(f.message, concat("", ["runs image digest ", other, " but is annotated (and approved) as ", fx.digest]))
}

test_annotation_omitted_fails if {
	stripped := json.remove(fx.kserve.isvc, [["props", "metadata", "annotations", "medinfra.io/image-digest"]])
	# object.union would merge the removed annotation back: replace the resource instead.
	plan := object.union(object.remove(fx.kserve, ["isvc"]), {"isvc": stripped})
	inp := object.union(data.medinfra.fixtures.inventory(plan), {"gate": {"date": "2026-06-01"}})
	{f.urn | some f in rule.deny} == {fx.kserve.isvc.urn} with input as inp
	# A digest-pinned image with no annotation naming it is said so, not "annotated as null".
	some f in rule.deny with input as inp
	contains(f.message, "but has no medinfra.io/image-digest annotation naming it")
}
