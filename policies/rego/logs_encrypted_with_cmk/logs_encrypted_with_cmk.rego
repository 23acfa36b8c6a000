# METADATA
# title: Log stores are encrypted with a customer-managed key of this plan
# description: >-
#   Audit and flow logs can contain identifiers and request metadata about patients. CloudWatch
#   log groups and Cloud Logging buckets are encrypted with a customer-managed key of this stack.
# custom:
#   id: MED-ENC-005
#   severity: medium
#   controls:
#     hipaa: ["164.312(a)(2)(iv)", "164.312(b)"]
#     gdpr: ["Art.32(1)(a)"]
#     cis: ["AWS 3.5"]
#   resource_types:
#     - aws:cloudwatch/logGroup:LogGroup
#     - gcp:logging/projectBucketConfig:ProjectBucketConfig
#   remediation: >-
#     AWS: set kmsKeyId on the log group to a KMS key of this stack whose policy lets the logs
#     service use it. GCP: set cmekSettings.kmsKeyName on the log bucket to a Cloud KMS key of this
#     stack.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/gpu_cluster.py: GpuClusterArgs.logs_key_arn / GpuCluster"
#       - "components/aws/network.py: NetworkArgs.flow_log_key_arn / Network._flow_logs()"
#     gcp:
#       - "none: no MedInfra component creates a Cloud Logging bucket; the rule judges the ones a program adds"
package medinfra.rules.logs_encrypted_with_cmk

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:cloudwatch/logGroup:LogGroup": {
		"/kmsKeyId": "cmk",
	},
	"gcp:logging/projectBucketConfig:ProjectBucketConfig": {
		"/cmekSettings/kmsKeyName": "cmk",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

deny contains finding if {
	some group in data.medinfra.lib.of_type("aws:cloudwatch/logGroup:LogGroup")
	not data.medinfra.lib.plan_key(group, "/kmsKeyId", object.get(data.medinfra.lib.obj(group.props), "kmsKeyId", null))
	finding := data.medinfra.lib.finding(group, sprintf("log group %s is not encrypted with a KMS key of this plan", [group.name]))
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("gcp:logging/projectBucketConfig:ProjectBucketConfig")
	not data.medinfra.lib.plan_key(bucket, "/cmekSettings/kmsKeyName", object.get(data.medinfra.lib.obj(bucket.props), ["cmekSettings", "kmsKeyName"], null))
	finding := data.medinfra.lib.finding(bucket, sprintf("log bucket %s is not encrypted with a Cloud KMS key of this plan", [bucket.name]))
}
