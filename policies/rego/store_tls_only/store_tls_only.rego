# METADATA
# title: Object stores accept only TLS 1.2+ connections
# description: >-
#   Patient data must never cross a network in clear text. Every S3 bucket has a bucket policy
#   that denies requests not made over TLS (aws:SecureTransport false); every Azure storage
#   account accepts HTTPS only with TLS 1.2 or newer. (Cloud Storage accepts only HTTPS.)
# custom:
#   id: MED-TLS-001
#   severity: high
#   controls:
#     hipaa: ["164.312(e)(1)", "164.312(e)(2)(ii)"]
#     gdpr: ["Art.32(1)(a)"]
#     cis: ["AWS 2.1.2", "Azure 3.1", "Azure 3.15"]
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketPolicy:BucketPolicy
#     - azure-native:storage:StorageAccount
#   remediation: >-
#     AWS: attach a bucket policy with a Deny statement for Principal "*", Action "s3:*" on the
#     bucket and its objects when aws:SecureTransport is "false" (MedInfra's bucket baseline has
#     it). Azure: enableHttpsTrafficOnly true and minimumTlsVersion TLS1_2.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/policies.py: bucket_policy() / _deny_insecure_transport()"
#       - "components/aws/data_store.py: DataStore"
#     azure:
#       - "components/azure/data_store.py: DataStore"
package medinfra.rules.store_tls_only

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:s3/bucketPolicy:BucketPolicy": {
		"/bucket": "aws:s3/bucket:Bucket",
		"/policy": "value",
	},
	"azure-native:storage:StorageAccount": {
		"/enableHttpsTrafficOnly": "value",
		"/minimumTlsVersion": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

denies_plain_http(doc) if {
	some s in data.medinfra.lib.items(data.medinfra.lib.statements(doc))
	s.Effect == "Deny"
	data.medinfra.lib.wildcard_principal(s.Principal)
	some action in data.medinfra.lib.items(data.medinfra.lib.as_list(s.Action))
	action in {"s3:*", "*"}
	lower(sprintf("%v", [s.Condition.Bool["aws:SecureTransport"]])) == "false"
}

tls_only_buckets contains value if {
	some policy in data.medinfra.lib.of_type("aws:s3/bucketPolicy:BucketPolicy")
	denies_plain_http(data.medinfra.lib.policy_doc(policy.props.policy))
	value := data.medinfra.lib.target(policy, "/bucket", object.get(policy.props, "bucket", null), {"aws:s3/bucket:Bucket"})
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("aws:s3/bucket:Bucket")
	not bucket.urn in tls_only_buckets
	finding := data.medinfra.lib.finding(bucket, sprintf("bucket %s has no policy denying requests without TLS (aws:SecureTransport)", [bucket.name]))
}

deny contains finding if {
	some account in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	not account.props.enableHttpsTrafficOnly == true
	finding := data.medinfra.lib.finding(account, sprintf("storage account %s accepts plain HTTP (enableHttpsTrafficOnly is not true)", [account.name]))
}

deny contains finding if {
	some account in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	not account.props.minimumTlsVersion in {"TLS1_2", "TLS1_3"}
	finding := data.medinfra.lib.finding(account, sprintf("storage account %s allows TLS older than 1.2 (minimumTlsVersion)", [account.name]))
}
