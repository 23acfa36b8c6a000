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

stack := {"urn": "urn:pulumi:test::p::pulumi:pulumi:Stack::p-test", "type": "pulumi:pulumi:Stack", "name": "p-test", "props": {}}

test_missing_allowed_regions_fails_once_for_the_stack if {
	inp := {"config": {}, "settings": {}, "resources": [stack, fx.aws.aws, fx.aws.bucket, fx.aws.key]}
	denied := rule.deny with input as inp
	count(denied) == 1
	some f in denied
	f.urn == stack.urn
	contains(f.message, "set allowedRegions in the medinfra-settings policy of the policy-pack config")
	contains(f.message, "medinfra:allowedRegions")
}

test_missing_allowed_regions_without_placed_resources_passes if {
	inp := {"config": {}, "settings": {}, "resources": [stack, fx.kserve.isvc]}
	count(rule.deny) == 0 with input as inp
}

test_organisation_regions_judge_every_resource if {
	plan := object.union(fx.aws, {"aws": {"props": {"region": "us-east-1"}}})
	inp := data.medinfra.fixtures.inventory_settings(plan, {"allowedRegions": ["us-east-1", "eu-central-1"]})
	{f.urn | some f in rule.deny} == set() with input as inp
}

test_region_outside_the_organisation_list_fails_and_says_where_the_list_comes_from if {
	inp := data.medinfra.fixtures.inventory_settings(fx.aws, {"allowedRegions": ["us-east-1"], "allowedRegionsFrom": "the policy-pack config"})
	denied := rule.deny with input as inp
	{f.urn | some f in denied} == {fx.aws.aws.urn, fx.aws["aws-native"].urn}
	some f in denied
	contains(f.message, "the policy-pack config")
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
