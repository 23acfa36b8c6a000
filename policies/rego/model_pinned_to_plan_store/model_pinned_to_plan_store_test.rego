package medinfra.rules.model_pinned_to_plan_store_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.model_pinned_to_plan_store as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

uri(u) := {"isvc": {"props": {"spec": {"predictor": {"model": {"storageUri": u}}}}}}

test_compliant_plan_passes if {
	found(fx.kserve) == set()
}

test_dev_stack_without_sha_passes if {
	inp := data.medinfra.fixtures.inventory_with(json.remove(fx.kserve, ["isvc/props/metadata/annotations/medinfra.io~1model-sha256"]), {"environment": "dev"})
	count(rule.deny) == 0 with input as inp
}

test_sha_annotation_omitted_fails if {
	found(json.remove(fx.kserve, [["isvc", "props", "metadata", "annotations", "medinfra.io/model-sha256"]])) == {fx.kserve.isvc.urn}
}

test_malformed_sha_fails if {
	found(object.union(fx.kserve, {"isvc": {"props": {"metadata": {"annotations": {"medinfra.io/model-sha256": "latest"}}}}})) == {fx.kserve.isvc.urn}
}

test_model_from_a_bucket_outside_the_plan_fails if {
	found(object.union(fx.kserve, uri("s3://someone-elses-bucket/model/"))) == {fx.kserve.isvc.urn}
}

test_storage_uri_omitted_fails if {
	found(json.remove(fx.kserve, ["isvc/props/spec/predictor/model/storageUri"])) == {fx.kserve.isvc.urn}
}

test_azure_blob_uri_of_a_plan_account_passes if {
	account := data.medinfra.fixtures.res("azure-native:storage:StorageAccount", "acct", {"accountName": "medinfraprod"}, {})
	plan := object.union(object.union(fx.kserve, {"acct": account}), uri("https://medinfraprod.blob.core.windows.net/models/x/"))
	found(plan) == set()
}
