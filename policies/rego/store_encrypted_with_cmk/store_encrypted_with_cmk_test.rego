package medinfra.rules.store_encrypted_with_cmk_test

# Inputs are bound to a variable before `with input as`: the embedded engine does not evaluate
# `with input as f(...)` (a function call) correctly. Fixtures: lib/fixtures_test.rego.

import data.medinfra.fixtures as fx
import data.medinfra.rules.store_encrypted_with_cmk as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

key_ref := ["bucket-sse", "references", "/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId"]

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
	found(fx.gcp) == set()
}

test_s3_bucket_without_encryption_configuration_fails if {
	found(object.remove(fx.aws, ["bucket-sse"])) == {fx.aws.bucket.urn}
}

test_s3_aes256_fails if {
	plan := object.union(fx.aws, {"bucket-sse": {"props": {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}}})
	found(plan) == {fx.aws.bucket.urn}
}

test_s3_key_from_outside_the_plan_fails if {
	found(json.remove(fx.aws, [key_ref])) == {fx.aws.bucket.urn}
}

test_s3_explicitly_allowed_external_key_passes if {
	# The gate turns medinfra:policy.allowedExternalKeys into exact trustedKeys patterns.
	inp := data.medinfra.fixtures.inventory_settings(json.remove(fx.aws, [key_ref]), {"trustedKeys": ["^arn:key$"]})
	count(rule.deny) == 0 with input as inp
}

external_key := "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

with_external_key := object.union(json.remove(fx.aws, [key_ref]), {"bucket-sse": {"props": {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": external_key}}]}}})

found_trusting(plan, patterns) := u if {
	inp := data.medinfra.fixtures.inventory_settings(plan, {"trustedKeys": patterns})
	u := {f.urn | some f in rule.deny} with input as inp
}

test_s3_key_of_a_trusted_platform_account_passes if {
	found_trusting(with_external_key, ["^arn:aws:kms:[^/]*:111122223333:key/[^/]*$"]) == set()
}

test_s3_key_of_an_untrusted_account_still_fails if {
	found_trusting(with_external_key, ["^arn:aws:kms:[^/]*:999999999999:key/[^/]*$"]) == {fx.aws.bucket.urn}
}

test_s3_trusted_pattern_is_anchored_so_a_longer_key_id_fails if {
	found_trusting(with_external_key, ["^arn:aws:kms:eu-central-1:111122223333:key/1234abcd$"]) == {fx.aws.bucket.urn}
}

test_azure_key_of_a_trusted_vault_passes if {
	plan := json.remove(object.union(fx.azure, {"storage": {"props": {"encryption": {"keyVaultProperties": {"keyVaultUri": "https://platform-kv.vault.azure.net/", "keyName": "data"}}}}}), ["storage/references"])
	found_trusting(plan, ["^https://platform-kv\\.vault\\.azure\\.net/keys/[^/]*$"]) == set()
	found_trusting(plan, ["^https://other-kv\\.vault\\.azure\\.net/keys/[^/]*$"]) == {fx.azure.storage.urn}
}

test_s3_configuration_of_another_bucket_does_not_count if {
	plan := object.union(fx.aws, {"bucket-sse": {"references": {"/bucket": "urn:other"}}})
	found(plan) == {fx.aws.bucket.urn}
}

test_s3_unknown_key_traced_to_a_plan_key_passes if {
	plan := object.union(fx.aws, {"bucket-sse": {
		"props": {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "[unknown]"}}]},
		"unknowns": ["/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId"],
	}})
	found(plan) == set()
}

test_azure_microsoft_managed_key_fails if {
	plan := object.union(fx.azure, {"storage": {"props": {"encryption": {"keySource": "Microsoft.Storage"}}}})
	found(plan) == {fx.azure.storage.urn}
}

test_azure_encryption_omitted_fails if {
	found(json.remove(fx.azure, ["storage/props/encryption"])) == {fx.azure.storage.urn}
}

test_azure_key_from_outside_the_plan_fails if {
	found(json.remove(fx.azure, [["storage", "references", "/encryption/keyVaultProperties/keyName"]])) == {fx.azure.storage.urn}
}

test_gcs_default_kms_key_omitted_fails if {
	found(json.remove(fx.gcp, ["gcs/props/encryption"])) == {fx.gcp.gcs.urn}
}

test_gcs_key_from_outside_the_plan_fails if {
	found(json.remove(fx.gcp, [["gcs", "references", "/encryption/defaultKmsKeyName"]])) == {fx.gcp.gcs.urn}
}

test_azure_key_attributed_to_the_whole_encryption_property_passes if {
	plan := json.remove(fx.azure, [["storage", "references", "/encryption/keyVaultProperties/keyName"]])
	found(object.union(plan, {"storage": {"references": {"/encryption": fx.azure["akv-key"].urn}}})) == set()
}

test_azure_whole_property_attributed_to_something_else_fails if {
	plan := json.remove(fx.azure, [["storage", "references", "/encryption/keyVaultProperties/keyName"]])
	found(object.union(plan, {"storage": {"references": {"/encryption": fx.azure.vault.urn}}})) == {fx.azure.storage.urn}
}

test_healthimaging_key_omitted_fails if {
	found(json.remove(fx.aws, ["dicom/props/kmsKeyArn"])) == {fx.aws.dicom.urn}
}

test_healthimaging_key_from_outside_the_plan_fails if {
	found(json.remove(fx.aws, [["dicom", "references", "/kmsKeyArn"]])) == {fx.aws.dicom.urn}
}

test_healthimaging_unknown_key_traced_to_a_plan_key_passes if {
	plan := object.union(fx.aws, {"dicom": {"props": {"kmsKeyArn": "[unknown]"}, "unknowns": ["/kmsKeyArn"]}})
	found(plan) == set()
}

test_healthimaging_unknown_key_without_provenance_fails if {
	plan := json.remove(object.union(fx.aws, {"dicom": {"props": {"kmsKeyArn": "[unknown]"}, "unknowns": ["/kmsKeyArn"]}}), [["dicom", "references", "/kmsKeyArn"]])
	found(plan) == {fx.aws.dicom.urn}
}

test_healthlake_aws_owned_key_fails if {
	plan := object.union(fx.aws, {"fhir": {"props": {"sseConfiguration": {"kmsEncryptionConfig": {"cmkType": "AWS_OWNED_KMS_KEY"}}}}})
	found(plan) == {fx.aws.fhir.urn}
}

test_healthlake_encryption_omitted_fails if {
	found(json.remove(fx.aws, ["fhir/props/sseConfiguration"])) == {fx.aws.fhir.urn}
}

test_azure_health_services_without_customer_key_fail if {
	plan := json.remove(fx.azure, ["dicom-service/props/encryption", "fhir-service/props/encryption"])
	found(plan) == {fx.azure["dicom-service"].urn, fx.azure["fhir-service"].urn}
}

test_azure_fhir_key_from_outside_the_plan_fails if {
	found(json.remove(fx.azure, [["fhir-service", "references", "/encryption/customerManagedKeyEncryption/keyEncryptionKeyUrl"]])) == {fx.azure["fhir-service"].urn}
}

test_healthcare_dataset_without_cmek_fails if {
	found(json.remove(fx.gcp, ["dataset/props/encryptionSpec"])) == {fx.gcp.dataset.urn}
}

test_healthcare_dataset_key_from_outside_the_plan_fails if {
	found(json.remove(fx.gcp, [["dataset", "references", "/encryptionSpec/kmsKeyName"]])) == {fx.gcp.dataset.urn}
}

# An access-log target: the bucket `access-logs` that fx.aws's bucket-logging names, with
# SSE-S3 (S3 delivers server access logs only to SSE-S3 buckets).
log_bucket := data.medinfra.fixtures.res("aws:s3/bucket:Bucket", "logs", {"bucket": "access-logs"}, {})

log_sse(algorithm) := data.medinfra.fixtures.res(
	"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "logs-sse",
	{"bucket": "access-logs", "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm}}]},
	{"/bucket": log_bucket.urn},
)

test_s3_access_log_target_with_sse_s3_passes if {
	found(object.union(fx.aws, {"logs": log_bucket, "logs-sse": log_sse("AES256")})) == set()
}

test_s3_access_log_target_named_by_reference_with_sse_s3_passes if {
	plan := object.union(fx.aws, {
		"logs": object.union(log_bucket, {"props": {"bucket": "[unknown]"}, "unknowns": ["/bucket"]}),
		"logs-sse": log_sse("AES256"),
		"bucket-logging": {"props": {"targetBucket": "[unknown]"}, "unknowns": ["/targetBucket"], "references": {"/targetBucket": log_bucket.urn}},
	})
	found(plan) == set()
}

test_s3_access_log_target_without_encryption_fails if {
	found(object.union(fx.aws, {"logs": log_bucket})) == {log_bucket.urn}
}

test_s3_bucket_that_is_not_a_log_target_with_sse_s3_fails if {
	plan := object.union(fx.aws, {"logs": object.union(log_bucket, {"props": {"bucket": "other"}}), "logs-sse": log_sse("AES256")})
	found(plan) == {log_bucket.urn}
}

test_s3_log_target_that_is_itself_logged_elsewhere_fails if {
	# A data bucket whose own access is logged is not a log sink, whoever logs into it.
	logged := data.medinfra.fixtures.res("aws:s3/bucketLogging:BucketLogging", "logs-logging", {"bucket": "access-logs", "targetBucket": "audit"}, {"/bucket": log_bucket.urn})
	found(object.union(fx.aws, {"logs": log_bucket, "logs-sse": log_sse("AES256"), "logs-logging": logged})) == {log_bucket.urn}
}
