# METADATA
# title: Object stores keep previous versions of every object
# description: >-
#   An overwritten or deleted model or record must be recoverable, and tampering must leave a
#   trace. S3 buckets have versioning enabled; Azure storage accounts have blob versioning and
#   blob soft delete on; Cloud Storage buckets have object versioning on or, where they carry a
#   retention policy (which Cloud Storage does not allow together with versioning), keep every
#   object unchanged for the retention period instead.
# custom:
#   id: MED-INT-001
#   severity: high
#   controls:
#     hipaa: ["164.312(c)(1)", "164.308(a)(7)(ii)(A)"]
#     gdpr: ["Art.32(1)(c)"]
#     cis: ["Azure 3.11"]
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketVersioning:BucketVersioning
#     - azure-native:storage:StorageAccount
#     - azure-native:storage:BlobServiceProperties
#     - gcp:storage/bucket:Bucket
#   remediation: >-
#     AWS: an aws.s3.BucketVersioning for the bucket with versioningConfiguration.status
#     Enabled. Azure: azure-native.storage.BlobServiceProperties for the account with
#     isVersioningEnabled true and deleteRetentionPolicy.enabled true. GCP: versioning.enabled
#     true, or a retentionPolicy with a positive retentionPeriod (PHI stores; Cloud Storage
#     refuses versioning on a bucket with a retention policy).
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/bucket_baseline.py: lock_down_bucket()"
#     azure:
#       - "components/azure/data_store.py: DataStore"
#     gcp:
#       - "components/gcp/bucket_baseline.py: bucket_baseline()"
#       - "components/gcp/data_store.py: DataStoreArgs.retention_days / DataStore"
package medinfra.rules.store_versioned

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:s3/bucketVersioning:BucketVersioning": {
		"/bucket": "aws:s3/bucket:Bucket",
		"/versioningConfiguration/status": "value",
	},
	"azure-native:storage:BlobServiceProperties": {
		"/accountName": "azure-native:storage:StorageAccount",
		"/isVersioningEnabled": "value",
		"/deleteRetentionPolicy/enabled": "value",
	},
	"gcp:storage/bucket:Bucket": {
		"/versioning/enabled": "value",
		"/retentionPolicy/retentionPeriod": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

versioned_buckets contains value if {
	some v in data.medinfra.lib.of_type("aws:s3/bucketVersioning:BucketVersioning")
	v.props.versioningConfiguration.status == "Enabled"
	value := data.medinfra.lib.target(v, "/bucket", object.get(v.props, "bucket", null), {"aws:s3/bucket:Bucket"})
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("aws:s3/bucket:Bucket")
	not bucket.urn in versioned_buckets
	finding := data.medinfra.lib.finding(bucket, sprintf("bucket %s does not have versioning enabled", [bucket.name]))
}

versioned_accounts contains value if {
	some p in data.medinfra.lib.of_type("azure-native:storage:BlobServiceProperties")
	p.props.isVersioningEnabled == true
	p.props.deleteRetentionPolicy.enabled == true
	value := data.medinfra.lib.target(p, "/accountName", object.get(p.props, "accountName", null), {"azure-native:storage:StorageAccount"})
}

deny contains finding if {
	some account in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	not account.urn in versioned_accounts
	finding := data.medinfra.lib.finding(account, sprintf("storage account %s lacks blob versioning and soft delete", [account.name]))
}

# A retention policy keeps the single version of every object immutable for its period; GCS does
# not allow it together with versioning, so it satisfies the control on its own.
gcs_kept contains bucket.urn if {
	some bucket in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	bucket.props.versioning.enabled == true
}

gcs_kept contains bucket.urn if {
	some bucket in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	data.medinfra.lib.num(bucket.props.retentionPolicy.retentionPeriod) > 0
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	not bucket.urn in gcs_kept
	finding := data.medinfra.lib.finding(bucket, sprintf("bucket %s does not have object versioning on", [bucket.name]))
}
