package medinfra.rules.phi_store_immutable_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.phi_store_immutable as rule
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

test_non_phi_stack_without_lock_passes if {
	inp := data.medinfra.fixtures.inventory_with(object.remove(fx.aws, ["bucket-lock"]), {"dataClassification": "deidentified"})
	count(rule.deny) == 0 with input as inp
}

test_access_log_bucket_without_lock_passes if {
	logs := data.medinfra.fixtures.res("aws:s3/bucket:Bucket", "logs", {"bucket": "access-logs"}, {})
	found(object.union(fx.aws, {"logs": logs})) == set()
}

test_s3_without_object_lock_fails if {
	found(object.remove(fx.aws, ["bucket-lock"])) == {fx.aws.bucket.urn}
}

test_s3_lock_without_default_retention_fails if {
	found(json.remove(fx.aws, ["bucket-lock/props/rule"])) == {fx.aws.bucket.urn}
}

test_azure_immutability_omitted_fails if {
	found(json.remove(fx.azure, ["storage/props/immutableStorageWithVersioning"])) == {fx.azure.storage.urn}
}

test_gcs_retention_policy_omitted_fails if {
	found(json.remove(fx.gcp, ["gcs/props/retentionPolicy"])) == {fx.gcp.gcs.urn}
}

test_access_log_bucket_named_by_reference_without_lock_passes if {
	logs := data.medinfra.fixtures.res("aws:s3/bucket:Bucket", "logs", {"bucket": "[unknown]"}, {})
	plan := object.union(fx.aws, {
		"logs": object.union(logs, {"unknowns": ["/bucket"]}),
		"bucket-logging": {"props": {"targetBucket": "[unknown]"}, "unknowns": ["/targetBucket"], "references": {"/targetBucket": logs.urn}},
	})
	found(plan) == set()
}

test_bucket_not_named_by_any_logging_without_lock_fails if {
	logs := data.medinfra.fixtures.res("aws:s3/bucket:Bucket", "logs", {"bucket": "not-the-log-target"}, {})
	found(object.union(fx.aws, {"logs": logs})) == {logs.urn}
}
