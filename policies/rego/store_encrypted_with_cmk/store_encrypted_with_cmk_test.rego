package medinfra.rules.store_encrypted_with_cmk_test

# Inputs are bound to a variable before `with input as`: the embedded engine does not evaluate
# `with input as f(...)` (a function call) correctly.

import data.medinfra.rules.store_encrypted_with_cmk as rule
import rego.v1

key_ref := "/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId"

bucket := {"urn": "u:bucket", "type": "aws:s3/bucket:Bucket", "name": "data", "props": {}, "unknowns": [], "references": {}}

key(props) := {"urn": "u:key", "type": "aws:kms/key:Key", "name": "k", "props": props, "unknowns": [], "references": {}}

sse(by_default, references, unknowns) := {
	"urn": "u:sse", "type": rule.sse_type, "name": "data",
	"props": {"bucket": "data-1", "rules": [{"applyServerSideEncryptionByDefault": by_default}]},
	"unknowns": unknowns, "references": references,
}

kms := {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:key"}

both_refs := {"/bucket": "u:bucket", key_ref: "u:key"}

rotating := key({"enableKeyRotation": true})

plan(resources) := {"config": {}, "resources": resources}

urns(findings) := {f.urn | some f in findings}

test_compliant_baseline_passes if {
	inp := plan([bucket, rotating, sse(kms, both_refs, [])])
	count(rule.deny) == 0 with input as inp
}

test_bucket_without_encryption_configuration_fails if {
	inp := plan([bucket, rotating])
	urns(rule.deny) == {"u:bucket"} with input as inp
}

test_aes256_fails if {
	aes := object.union(kms, {"sseAlgorithm": "AES256"})
	inp := plan([bucket, rotating, sse(aes, both_refs, [])])
	urns(rule.deny) == {"u:bucket"} with input as inp
}

test_key_without_rotation_fails if {
	inp := plan([bucket, key({"enableKeyRotation": false}), sse(kms, both_refs, [])])
	urns(rule.deny) == {"u:bucket"} with input as inp
}

test_key_rotation_omitted_fails if {
	inp := plan([bucket, key({}), sse(kms, both_refs, [])])
	urns(rule.deny) == {"u:bucket"} with input as inp
}

test_key_from_outside_the_plan_fails if {
	inp := plan([bucket, rotating, sse(kms, {"/bucket": "u:bucket"}, [])])
	urns(rule.deny) == {"u:bucket"} with input as inp
}

test_configuration_of_another_bucket_does_not_count if {
	refs := object.union(both_refs, {"/bucket": "u:other"})
	inp := plan([bucket, rotating, sse(kms, refs, [])])
	urns(rule.deny) == {"u:bucket"} with input as inp
}

test_unknown_key_traced_to_a_rotating_plan_key_passes if {
	pending := object.union(kms, {"kmsMasterKeyId": "[unknown]"})
	inp := plan([bucket, rotating, sse(pending, both_refs, [key_ref])])
	count(rule.deny) == 0 with input as inp
}

test_unknown_key_not_traced_to_the_plan_fails if {
	pending := object.union(kms, {"kmsMasterKeyId": "[unknown]"})
	inp := plan([bucket, rotating, sse(pending, {"/bucket": "u:bucket"}, [key_ref])])
	urns(rule.deny) == {"u:bucket"} with input as inp
}
