package medinfra.rules.store_not_public_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.store_not_public as rule
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

test_s3_without_public_access_block_fails if {
	found(object.remove(fx.aws, ["bucket-pab"])) == {fx.aws.bucket.urn}
}

test_s3_one_block_off_fails if {
	found(object.union(fx.aws, {"bucket-pab": {"props": {"restrictPublicBuckets": false}}})) == {fx.aws.bucket.urn}
}

test_s3_one_block_omitted_fails if {
	found(json.remove(fx.aws, ["bucket-pab/props/ignorePublicAcls"])) == {fx.aws.bucket.urn}
}

test_azure_blob_public_access_fails if {
	found(object.union(fx.azure, {"storage": {"props": {"allowBlobPublicAccess": true}}})) == {fx.azure.storage.urn}
}

test_azure_blob_public_access_omitted_fails if {
	found(json.remove(fx.azure, ["storage/props/allowBlobPublicAccess"])) == {fx.azure.storage.urn}
}

test_azure_public_network_access_fails if {
	found(object.union(fx.azure, {"storage": {"props": {"publicNetworkAccess": "Enabled"}}})) == {fx.azure.storage.urn}
}

test_azure_blob_container_public_fails if {
	found(object.union(fx.azure, {"blob-container": {"props": {"publicAccess": "Container"}}})) == {fx.azure["blob-container"].urn}
}

test_azure_blob_container_public_access_omitted_fails if {
	found(json.remove(fx.azure, ["blob-container/props/publicAccess"])) == {fx.azure["blob-container"].urn}
}

test_gcs_public_access_prevention_inherited_fails if {
	found(object.union(fx.gcp, {"gcs": {"props": {"publicAccessPrevention": "inherited"}}})) == {fx.gcp.gcs.urn}
}

test_gcs_uniform_access_omitted_fails if {
	found(json.remove(fx.gcp, ["gcs/props/uniformBucketLevelAccess"])) == {fx.gcp.gcs.urn}
}

test_gcs_grant_to_all_users_fails if {
	found(object.union(fx.gcp, {"gcs-reader": {"props": {"member": "allUsers"}}})) == {fx.gcp["gcs-reader"].urn}
}

test_public_access_block_of_no_known_bucket_fails_without_breaking_the_rule if {
	found(json.remove(fx.aws, [["bucket-pab", "references", "/bucket"]])) == {fx.aws.bucket.urn}
}

test_healthlake_smart_on_fhir_fails if {
	plan := object.union(fx.aws, {"fhir": {"props": {"identityProviderConfiguration": {"authorizationStrategy": "SMART_ON_FHIR"}}}})
	found(plan) == {fx.aws.fhir.urn}
}

test_healthlake_authorization_omitted_fails if {
	found(json.remove(fx.aws, ["fhir/props/identityProviderConfiguration"])) == {fx.aws.fhir.urn}
}

test_health_workspace_without_private_endpoint_fails if {
	found(object.remove(fx.azure, ["hds-endpoint"])) == {fx.azure.hds.urn}
}

test_private_endpoint_of_another_group_does_not_count if {
	plan := object.union(fx.azure, {"hds-endpoint": {"props": {"privateLinkServiceConnections": [{"name": "hds", "privateLinkServiceId": "/subscriptions/s/hds", "groupIds": ["blob"]}]}}})
	found(plan) == {fx.azure.hds.urn}
}

test_private_endpoint_to_an_unknown_target_traced_to_the_workspace_passes if {
	plan := object.union(fx.azure, {"hds-endpoint": {
		"props": {"privateLinkServiceConnections": [{"name": "hds", "privateLinkServiceId": "[unknown]", "groupIds": ["healthcareworkspace"]}]},
		"unknowns": ["/privateLinkServiceConnections/0/privateLinkServiceId"],
	}})
	found(plan) == set()
}

test_private_endpoint_with_unknown_group_fails if {
	plan := object.union(fx.azure, {"hds-endpoint": {
		"props": {"privateLinkServiceConnections": [{"name": "hds", "privateLinkServiceId": "/subscriptions/s/hds", "groupIds": "[unknown]"}]},
		"unknowns": ["/privateLinkServiceConnections/0/groupIds"],
	}})
	found(plan) == {fx.azure.hds.urn, fx.azure["hds-endpoint"].urn}
}

test_fhir_service_with_another_identity_provider_fails if {
	plan := object.union(fx.azure, {"fhir-service": {"props": {"authenticationConfiguration": {"authority": "https://idp.example.com/"}}}})
	found(plan) == {fx.azure["fhir-service"].urn}
}

test_fhir_service_authentication_omitted_fails if {
	found(json.remove(fx.azure, ["fhir-service/props/authenticationConfiguration"])) == {fx.azure["fhir-service"].urn}
}

test_fhir_service_with_smart_proxy_fails if {
	plan := object.union(fx.azure, {"fhir-service": {"props": {"authenticationConfiguration": {"smartProxyEnabled": true}}}})
	found(plan) == {fx.azure["fhir-service"].urn}
}

test_public_healthcare_store_grant_fails if {
	plan := object.union(fx.gcp, {"dicom-reader": {"props": {"member": "allUsers"}}})
	found(plan) == {fx.gcp["dicom-reader"].urn}
}

test_unknown_healthcare_member_without_provenance_fails if {
	plan := object.union(fx.gcp, {"fhir-reader": {"props": {"member": "[unknown]"}, "unknowns": ["/member"]}})
	found(plan) == {fx.gcp["fhir-reader"].urn}
}
