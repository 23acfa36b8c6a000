# METADATA
# title: Object stores are encrypted with a customer-managed key of this plan
# description: >-
#   Every object store (S3 bucket, Azure storage account, Cloud Storage bucket) and every
#   managed DICOM or FHIR store (HealthImaging, HealthLake, Azure Health Data Services DICOM and
#   FHIR services, Cloud Healthcare datasets) encrypts its data by default with a
#   customer-managed key that this stack creates (or one outside it that the organisation
#   trusts: trustedKeys of the medinfra-settings policy in the policy-pack config, or the
#   stack's medinfra:policy.allowedExternalKeys), so the organisation controls,
#   rotates and audits the key and can revoke access to the data. A provider-managed key, a key
#   from outside the plan, or a value that cannot be traced to such a key is a finding. One
#   exemption, an AWS constraint: S3 delivers server access logs only to buckets encrypted with
#   SSE-S3, so a bucket that only receives them (the target of a BucketLogging, by reference or
#   name, whose own access is not logged elsewhere) may use SSE-S3 (AES256) instead.
# custom:
#   id: MED-ENC-001
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(2)(iv)"]
#     gdpr: ["Art.32(1)(a)"]
#     cis: ["AWS 2.1.1", "Azure 3.12", "GCP 5.3"]
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration
#     - azure-native:storage:StorageAccount
#     - gcp:storage/bucket:Bucket
#     - aws-native:healthimaging:Datastore
#     - aws-native:healthlake:FhirDatastore
#     - azure-native:healthcareapis:DicomService
#     - azure-native:healthcareapis:FhirService
#     - gcp:healthcare/dataset:Dataset
#   remediation: >-
#     AWS: add an aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm "aws:kms" and
#     kms_master_key_id set to an aws.kms.Key of this stack. Azure: set encryption.keySource to
#     Microsoft.Keyvault with keyVaultProperties naming a Key Vault key of this stack. GCP: set
#     encryption.defaultKmsKeyName to a Cloud KMS crypto key of this stack. DICOM/FHIR stores:
#     HealthImaging kmsKeyArn, HealthLake sseConfiguration.kmsEncryptionConfig (cmkType
#     CUSTOMER_MANAGED_KMS_KEY, kmsKeyId), Azure encryption.customerManagedKeyEncryption
#     .keyEncryptionKeyUrl, Cloud Healthcare encryptionSpec.kmsKeyName, each a key of this
#     stack. MedInfra's DataStore and health store components do this.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/data_store.py: DataStoreArgs.key_arn / DataStore"
#       - "components/aws/health_store.py: HealthStoreArgs.key_arn / HealthStore"
#     azure:
#       - "components/azure/data_store.py: DataStoreArgs.key_name / DataStoreArgs.key_vault_uri / DataStore"
#       - "components/azure/health_store.py: HealthWorkspaceArgs.key_uri / HealthWorkspace"
#     gcp:
#       - "components/gcp/data_store.py: DataStoreArgs.key_id / DataStore"
#       - "components/gcp/bucket_baseline.py: bucket_baseline()"
#       - "components/gcp/health_store.py: HealthDatasetArgs.key_id / HealthDataset"
package medinfra.rules.store_encrypted_with_cmk

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
		"/bucket": "aws:s3/bucket:Bucket",
		"/rules/*/applyServerSideEncryptionByDefault/sseAlgorithm": "value",
		"/rules/*/applyServerSideEncryptionByDefault/kmsMasterKeyId": "cmk",
	},
	"azure-native:storage:StorageAccount": {
		"/encryption/keySource": "value",
		"/encryption/keyVaultProperties/keyName": "cmk",
	},
	"gcp:storage/bucket:Bucket": {
		"/encryption/defaultKmsKeyName": "cmk",
	},
	"aws-native:healthimaging:Datastore": {
		"/kmsKeyArn": "cmk",
	},
	"aws-native:healthlake:FhirDatastore": {
		"/sseConfiguration/kmsEncryptionConfig/cmkType": "value",
		"/sseConfiguration/kmsEncryptionConfig/kmsKeyId": "cmk",
	},
	"azure-native:healthcareapis:DicomService": {
		"/encryption/customerManagedKeyEncryption/keyEncryptionKeyUrl": "cmk",
	},
	"azure-native:healthcareapis:FhirService": {
		"/encryption/customerManagedKeyEncryption/keyEncryptionKeyUrl": "cmk",
	},
	"gcp:healthcare/dataset:Dataset": {
		"/encryptionSpec/kmsKeyName": "cmk",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

sse_type := "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"

key_path(i) := sprintf("/rules/%d/applyServerSideEncryptionByDefault/kmsMasterKeyId", [i])

# Buckets with a compliant default-encryption configuration (a rule: computed once per input).
encrypted_buckets contains value if {
	some config in data.medinfra.lib.of_type(sse_type)
	some i, rule in data.medinfra.lib.items(config.props.rules)
	rule.applyServerSideEncryptionByDefault.sseAlgorithm in {"aws:kms", "aws:kms:dsse"}
	data.medinfra.lib.plan_key(config, key_path(i), rule.applyServerSideEncryptionByDefault.kmsMasterKeyId)
	value := data.medinfra.lib.target(config, "/bucket", object.get(config.props, "bucket", null), {"aws:s3/bucket:Bucket"})
}

# S3 delivers server access logs only to a bucket whose default encryption is SSE-S3 (AES256),
# never SSE-KMS (an AWS constraint). A bucket that only receives access logs -- the target of a
# BucketLogging (data.medinfra.lib.s3_access_log_targets) whose own access is not logged into
# another bucket, i.e. not a data bucket -- may use SSE-S3; it must still set it.
sse_s3_buckets contains value if {
	some config in data.medinfra.lib.of_type(sse_type)
	some rule in data.medinfra.lib.items(config.props.rules)
	rule.applyServerSideEncryptionByDefault.sseAlgorithm == "AES256"
	value := data.medinfra.lib.target(config, "/bucket", object.get(config.props, "bucket", null), {"aws:s3/bucket:Bucket"})
}

access_log_sink(bucket) if {
	bucket.urn in data.medinfra.lib.s3_access_log_targets
	not bucket.urn in data.medinfra.lib.s3_logged_buckets
	bucket.urn in sse_s3_buckets
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("aws:s3/bucket:Bucket")
	not bucket.urn in encrypted_buckets
	not access_log_sink(bucket)
	finding := data.medinfra.lib.finding(bucket, sprintf("bucket %s is not encrypted with SSE-KMS using a customer-managed key of this plan", [bucket.name]))
}

azure_cmk(account) if {
	account.props.encryption.keySource == "Microsoft.Keyvault"
	data.medinfra.lib.plan_key(account, "/encryption/keyVaultProperties/keyName", account.props.encryption.keyVaultProperties.keyName)
}

# A trusted key outside the plan, named by its Key Vault key URL (<vault URI>/keys/<name>).
azure_cmk(account) if {
	account.props.encryption.keySource == "Microsoft.Keyvault"
	vault := account.props.encryption.keyVaultProperties
	data.medinfra.lib.trusted_key(sprintf("%s/keys/%s", [trim_suffix(vault.keyVaultUri, "/"), vault.keyName]))
}

deny contains finding if {
	some account in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	not azure_cmk(account)
	finding := data.medinfra.lib.finding(account, sprintf("storage account %s is not encrypted with a Key Vault key of this plan (encryption.keySource Microsoft.Keyvault)", [account.name]))
}

gcs_cmk(bucket) if {
	data.medinfra.lib.plan_key(bucket, "/encryption/defaultKmsKeyName", bucket.props.encryption.defaultKmsKeyName)
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	not gcs_cmk(bucket)
	finding := data.medinfra.lib.finding(bucket, sprintf("bucket %s has no default Cloud KMS key of this plan (encryption.defaultKmsKeyName)", [bucket.name]))
}

# DICOM and FHIR stores: type -> (what the key is called, the property holding the key).
health_key_paths := {
	"aws-native:healthimaging:Datastore": ["kmsKeyArn"],
	"aws-native:healthlake:FhirDatastore": ["sseConfiguration", "kmsEncryptionConfig", "kmsKeyId"],
	"azure-native:healthcareapis:DicomService": ["encryption", "customerManagedKeyEncryption", "keyEncryptionKeyUrl"],
	"azure-native:healthcareapis:FhirService": ["encryption", "customerManagedKeyEncryption", "keyEncryptionKeyUrl"],
	"gcp:healthcare/dataset:Dataset": ["encryptionSpec", "kmsKeyName"],
}

health_cmk(store, path) if {
	store.type != "aws-native:healthlake:FhirDatastore"
	data.medinfra.lib.plan_key(store, concat("/", array.concat([""], path)), object.get(data.medinfra.lib.obj(store.props), path, null))
}

# HealthLake uses an AWS-owned key unless told CUSTOMER_MANAGED_KMS_KEY (and given our key).
health_cmk(store, path) if {
	store.type == "aws-native:healthlake:FhirDatastore"
	object.get(data.medinfra.lib.obj(store.props), ["sseConfiguration", "kmsEncryptionConfig", "cmkType"], null) == "CUSTOMER_MANAGED_KMS_KEY"
	data.medinfra.lib.plan_key(store, concat("/", array.concat([""], path)), object.get(data.medinfra.lib.obj(store.props), path, null))
}

deny contains finding if {
	some t, path in health_key_paths
	some store in data.medinfra.lib.of_type(t)
	not health_cmk(store, path)
	finding := data.medinfra.lib.finding(store, sprintf("%s %s is not encrypted with a customer-managed key of this plan (%s)", [store.type, store.name, concat(".", path)]))
}
