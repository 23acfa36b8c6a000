# METADATA
# title: Object stores are encrypted with a customer-managed key of this plan
# description: >-
#   Every S3 bucket has default encryption with SSE-KMS using a KMS key that this stack creates
#   and rotates, so the organisation controls, rotates and audits the key. An AWS-managed key, a
#   key from outside the plan, or a value that cannot be traced to such a key is a finding.
# custom:
#   id: MED-ENC-001
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(2)(iv)"]
#     gdpr: ["Art.32(1)(a)"]
#     cis: ["AWS 2.1.1"]
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration
#   remediation: >-
#     Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with sse_algorithm
#     "aws:kms" and kms_master_key_id set to a rotating aws.kms.Key of this stack (MedInfra's
#     DataStore component does this).
#   waivable: true
package medinfra.rules.store_encrypted_with_cmk

import rego.v1

sse_type := "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"

key_path(i) := sprintf("/rules/%d/applyServerSideEncryptionByDefault/kmsMasterKeyId", [i])

# Buckets with a compliant default-encryption configuration. A rule, not a function: computed
# once per input, so the check stays linear in the number of resources.
encrypted_buckets contains config.references["/bucket"] if {
	some config in data.medinfra.lib.of_type(sse_type)
	some i, rule in config.props.rules
	rule.applyServerSideEncryptionByDefault.sseAlgorithm == "aws:kms"
	data.medinfra.lib.rotating_kms_key(data.medinfra.lib.referenced(config, key_path(i)))
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("aws:s3/bucket:Bucket")
	not bucket.urn in encrypted_buckets
	finding := {
		"urn": bucket.urn,
		"message": sprintf("bucket %s is not encrypted with SSE-KMS using a rotating KMS key of this plan", [bucket.name]),
	}
}
