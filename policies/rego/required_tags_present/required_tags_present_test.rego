package medinfra.rules.required_tags_present_test

# Inputs are bound to a variable before `with input as` (see store_encrypted_with_cmk_test).

import data.medinfra.rules.required_tags_present as rule
import rego.v1

full := {"owner": "ml", "costCenter": "cc-1", "environment": "prod", "dataClassification": "phi"}

key(props) := {"urn": "u:k", "type": "aws:kms/key:Key", "name": "k", "props": props, "unknowns": [], "references": {}}

plan(resources) := {"config": {"dataClassification": "phi"}, "resources": resources}

urns(findings) := {f.urn | some f in findings}

test_fully_tagged_resource_passes if {
	inp := plan([key({"tags": full})])
	count(rule.deny) == 0 with input as inp
}

test_missing_owner_fails if {
	inp := plan([key({"tags": object.remove(full, ["owner"])})])
	urns(rule.deny) == {"u:k"} with input as inp
}

test_tags_omitted_fails if {
	inp := plan([key({})])
	urns(rule.deny) == {"u:k"} with input as inp
}

test_wrong_classification_fails if {
	inp := plan([key({"tags": object.union(full, {"dataClassification": "public"})})])
	urns(rule.deny) == {"u:k"} with input as inp
}

test_unknown_tags_fail if {
	inp := plan([key({"tags": "[unknown]"})])
	urns(rule.deny) == {"u:k"} with input as inp
}

test_untaggable_types_are_ignored if {
	policy := {"urn": "u:p", "type": "aws:s3/bucketPolicy:BucketPolicy", "name": "p", "props": {}, "unknowns": [], "references": {}}
	inp := plan([policy])
	count(rule.deny) == 0 with input as inp
}
