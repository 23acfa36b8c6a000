# METADATA
# title: On PHI stacks, stored objects cannot be altered or deleted before their retention ends
# description: >-
#   HIPAA requires records to be protected from improper alteration and kept for six years.
#   On stacks whose dataClassification is phi, every data store is write-once-read-many: S3
#   buckets have object lock with a default retention, Azure storage accounts have
#   version-level immutability, Cloud Storage buckets have a retention policy. Buckets that
#   only receive access logs are exempt (the targetBucket of an S3 BucketLogging, named or
#   referenced; the logging.logBucket of a Cloud Storage bucket).
# custom:
#   id: MED-INT-002
#   severity: high
#   controls:
#     hipaa: ["164.312(c)(1)", "164.316(b)(2)(i)"]
#     gdpr: ["Art.5(1)(f)", "Art.32(1)(b)"]
#     cis: []
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration
#     - azure-native:storage:StorageAccount
#     - gcp:storage/bucket:Bucket
#   remediation: >-
#     AWS: create the bucket with objectLockEnabled true and add an
#     aws.s3.BucketObjectLockConfiguration with rule.defaultRetention (COMPLIANCE mode in prod).
#     Azure: immutableStorageWithVersioning.enabled true. GCP: retentionPolicy.retentionPeriod
#     (locked in prod). MedInfra's DataStore components do this on PHI stacks.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/data_store.py: DataStoreArgs.retention_days / DataStoreArgs.compliance_mode / DataStore"
#     azure:
#       - "components/azure/data_store.py: DataStoreArgs.retention_days / DataStore"
#     gcp:
#       - "components/gcp/data_store.py: DataStoreArgs.retention_days / DataStoreArgs.lock_retention / DataStore"
#       - "components/gcp/bucket_baseline.py: bucket_baseline()"
package medinfra.rules.phi_store_immutable

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": {
		"/bucket": "aws:s3/bucket:Bucket",
		"/objectLockEnabled": "value",
		"/rule/defaultRetention": "value",
	},
	"azure-native:storage:StorageAccount": {
		"/immutableStorageWithVersioning/enabled": "value",
	},
	"gcp:storage/bucket:Bucket": {
		"/retentionPolicy/retentionPeriod": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

lock_type := "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"

locked_buckets contains value if {
	some lock in data.medinfra.lib.of_type(lock_type)
	lock.props.objectLockEnabled == "Enabled"
	retention := lock.props.rule.defaultRetention
	data.medinfra.lib.num(object.get(data.medinfra.lib.obj(retention), "days", 0)) + data.medinfra.lib.num(object.get(data.medinfra.lib.obj(retention), "years", 0)) > 0
	value := data.medinfra.lib.target(lock, "/bucket", object.get(lock.props, "bucket", null), {"aws:s3/bucket:Bucket"})
}

# Access-log targets (by reference or by name: data.medinfra.lib.s3_access_log_targets) hold
# logs, not records.
deny contains finding if {
	data.medinfra.lib.is_phi
	some bucket in data.medinfra.lib.of_type("aws:s3/bucket:Bucket")
	not bucket.urn in data.medinfra.lib.s3_access_log_targets
	not bucket.urn in locked_buckets
	finding := data.medinfra.lib.finding(bucket, sprintf("PHI bucket %s has no object lock with a default retention", [bucket.name]))
}

deny contains finding if {
	data.medinfra.lib.is_phi
	some account in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	not account.props.immutableStorageWithVersioning.enabled == true
	finding := data.medinfra.lib.finding(account, sprintf("PHI storage account %s does not have version-level immutability", [account.name]))
}

gcs_log_targets contains value if {
	some b in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	value := b.props.logging.logBucket
}

deny contains finding if {
	data.medinfra.lib.is_phi
	some bucket in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	not object.get(data.medinfra.lib.obj(bucket.props), "name", null) in gcs_log_targets
	not data.medinfra.lib.num(bucket.props.retentionPolicy.retentionPeriod) > 0
	finding := data.medinfra.lib.finding(bucket, sprintf("PHI bucket %s has no retention policy", [bucket.name]))
}
