package medinfra.rules.region_in_allowed_regions_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.region_in_allowed_regions as rule
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

test_aws_provider_outside_allowed_regions_fails if {
	found(object.union(fx.aws, {"aws": {"props": {"region": "us-east-1"}}})) == {fx.aws.aws.urn}
}

test_aws_resource_level_region_outside_fails if {
	found(object.union(fx.aws, {"bucket": {"props": {"region": "us-west-2"}}})) == {fx.aws.bucket.urn}
}

test_missing_allowed_regions_fails_for_a_provider if {
	inp := {"config": {}, "resources": [fx.aws.aws]}
	{f.urn | some f in rule.deny} == {fx.aws.aws.urn} with input as inp
}

test_unknown_region_fails if {
	found(object.union(fx.aws, {"aws": {"props": {"region": "[unknown]"}}})) == {fx.aws.aws.urn}
}

test_azure_location_outside_fails if {
	found(object.union(fx.azure, {"storage": {"props": {"location": "eastus"}}})) == {fx.azure.storage.urn}
}

test_azure_display_name_location_inside_passes if {
	found(object.union(fx.azure, {"storage": {"props": {"location": "West Europe"}}})) == set()
}

test_gcs_multi_region_fails if {
	found(object.union(fx.gcp, {"gcs": {"props": {"location": "EU"}}})) == {fx.gcp.gcs.urn}
}

test_gke_zone_inside_an_allowed_region_passes if {
	found(object.union(fx.gcp, {"gke": {"props": {"location": "europe-west4-a"}}})) == set()
}

test_gcp_subnetwork_region_outside_fails if {
	found(object.union(fx.gcp, {"subnet": {"props": {"region": "us-central1"}}})) == {fx.gcp.subnet.urn}
}

test_aws_native_provider_outside_allowed_regions_fails if {
	plan := object.union(fx.aws, {"aws-native": {"props": {"region": "us-east-1"}}})
	found(plan) == {fx.aws["aws-native"].urn}
}

test_aws_native_provider_with_unknown_region_fails if {
	plan := object.union(fx.aws, {"aws-native": {"props": {"region": "[unknown]"}, "unknowns": ["/region"]}})
	found(plan) == {fx.aws["aws-native"].urn}
}

test_healthcare_dataset_outside_allowed_regions_fails if {
	plan := object.union(fx.gcp, {"dataset": {"props": {"location": "us-central1"}}})
	found(plan) == {fx.gcp.dataset.urn}
}
