package medinfra.rules.region_in_allowed_regions_test

# Inputs are bound to a variable before `with input as` (see store_encrypted_with_cmk_test).

import data.medinfra.rules.region_in_allowed_regions as rule
import rego.v1

provider(region) := {"urn": "u:aws", "type": "pulumi:providers:aws", "name": "aws", "props": {"region": region}, "unknowns": [], "references": {}}

bucket(props) := {"urn": "u:b", "type": "aws:s3/bucket:Bucket", "name": "b", "props": props, "unknowns": [], "references": {}}

plan(allowed, resources) := {"config": {"allowedRegions": allowed}, "resources": resources}

urns(findings) := {f.urn | some f in findings}

test_provider_in_allowed_region_passes if {
	inp := plan(["eu-central-1"], [provider("eu-central-1"), bucket({})])
	count(rule.deny) == 0 with input as inp
}

test_provider_outside_allowed_regions_fails if {
	inp := plan(["eu-central-1"], [provider("us-east-1")])
	urns(rule.deny) == {"u:aws"} with input as inp
}

test_resource_level_region_outside_fails if {
	inp := plan(["eu-central-1"], [provider("eu-central-1"), bucket({"region": "us-west-2"})])
	urns(rule.deny) == {"u:b"} with input as inp
}

test_missing_allowed_regions_fails_for_a_provider if {
	inp := {"config": {}, "resources": [provider("eu-central-1")]}
	urns(rule.deny) == {"u:aws"} with input as inp
}

test_unknown_region_fails if {
	inp := plan(["eu-central-1"], [provider("[unknown]")])
	urns(rule.deny) == {"u:aws"} with input as inp
}
