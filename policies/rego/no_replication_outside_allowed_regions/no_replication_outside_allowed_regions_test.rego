package medinfra.rules.no_replication_outside_allowed_regions_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.no_replication_outside_allowed_regions as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

replication(refs) := data.medinfra.fixtures.res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "replication", {
	"bucket": "phi-data", "role": "arn:role",
	"rules": [{"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::copy"}}],
}, refs)

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
}

test_replication_to_a_bucket_of_the_plan_passes if {
	found(object.union(fx.aws, {"replication": replication({"/rules/0/destination/bucket": fx.aws.bucket.urn})})) == set()
}

test_replication_to_a_bucket_outside_the_plan_fails if {
	r := replication({})
	found(object.union(fx.aws, {"replication": r})) == {r.urn}
}

test_azure_grs_with_paired_region_outside_fails if {
	found(object.union(fx.azure, {"storage": {"props": {"sku": {"name": "Standard_RAGRS"}}}})) == {fx.azure.storage.urn}
}

test_azure_grs_with_location_omitted_fails if {
	plan := json.remove(object.union(fx.azure, {"storage": {"props": {"sku": {"name": "Standard_GRS"}}}}), ["storage/props/location"])
	found(plan) == {fx.azure.storage.urn}
}

test_azure_grs_with_paired_region_allowed_passes if {
	plan := object.union(fx.azure, {"storage": {"props": {"sku": {"name": "Standard_GZRS"}}}})
	inp := data.medinfra.fixtures.inventory_settings(plan, {"allowedRegions": ["westeurope", "northeurope"]})
	count(rule.deny) == 0 with input as inp
}
