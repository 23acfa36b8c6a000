package medinfra.rules.store_versioned_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.store_versioned as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
	found(fx.gcp) == set()
}

test_s3_without_versioning_resource_fails if {
	found(object.remove(fx.aws, ["bucket-versioning"])) == {fx.aws.bucket.urn}
}

test_s3_versioning_suspended_fails if {
	found(object.union(fx.aws, {"bucket-versioning": {"props": {"versioningConfiguration": {"status": "Suspended"}}}})) == {fx.aws.bucket.urn}
}

test_azure_versioning_off_fails if {
	found(object.union(fx.azure, {"blob-service": {"props": {"isVersioningEnabled": false}}})) == {fx.azure.storage.urn}
}

test_azure_soft_delete_omitted_fails if {
	found(json.remove(fx.azure, ["blob-service/props/deleteRetentionPolicy"])) == {fx.azure.storage.urn}
}

test_gcs_without_versioning_or_retention_fails if {
	found(json.remove(fx.gcp, ["gcs/props/versioning", "gcs/props/retentionPolicy"])) == {fx.gcp.gcs.urn}
}

test_gcs_versioning_without_retention_passes if {
	plan := object.union(json.remove(fx.gcp, ["gcs/props/retentionPolicy"]), {"gcs": {"props": {"versioning": {"enabled": true}}}})
	found(plan) == set()
}

test_gcs_retention_policy_instead_of_versioning_passes if {
	found(json.remove(fx.gcp, ["gcs/props/versioning"])) == set()
}

test_gcs_zero_retention_without_versioning_fails if {
	plan := object.union(fx.gcp, {"gcs": {"props": {"retentionPolicy": {"retentionPeriod": "0"}}}})
	found(plan) == {fx.gcp.gcs.urn}
}
