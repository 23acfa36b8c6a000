# METADATA
# title: Logs are kept at least as long as the stack requires
# description: >-
#   Audit evidence that has expired cannot answer a regulator. CloudWatch log groups, Log
#   Analytics workspaces and Cloud Logging buckets keep logs for at least the organisation's
#   minimum (logRetentionDays of the medinfra-settings policy in the policy-pack config; 365
#   days without one), which a stack's medinfra:policy.minLogRetentionDays may raise. "Never expire"
#   also passes on AWS; an omitted retention (provider default) is a finding.
# custom:
#   id: MED-LOG-004
#   severity: medium
#   controls:
#     hipaa: ["164.312(b)", "164.316(b)(2)(i)"]
#     gdpr: ["Art.5(2)", "Art.30"]
#     cis: ["Azure 5.1.2"]
#   resource_types:
#     - aws:cloudwatch/logGroup:LogGroup
#     - azure-native:operationalinsights:Workspace
#     - gcp:logging/projectBucketConfig:ProjectBucketConfig
#   remediation: >-
#     Set retentionInDays (AWS log groups, Azure workspaces) or retentionDays (GCP log buckets)
#     to at least the stack's minimum; MedInfra uses six years in prod and one year elsewhere.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/gpu_cluster.py: GpuClusterArgs.log_retention_days / GpuCluster"
#       - "components/aws/network.py: NetworkArgs.log_retention_days / Network._flow_logs()"
#     azure:
#       - "components/azure/logs.py: LogWorkspaceArgs.retention_days / LogWorkspace"
#     gcp:
#       - "none: no MedInfra component creates a Cloud Logging bucket; the rule judges the ones a program adds"
package medinfra.rules.log_retention_minimum

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:cloudwatch/logGroup:LogGroup": {
		"/retentionInDays": "value",
	},
	"azure-native:operationalinsights:Workspace": {
		"/retentionInDays": "value",
	},
	"gcp:logging/projectBucketConfig:ProjectBucketConfig": {
		"/retentionDays": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

# The organisation's logRetentionDays (policy-pack config), which a stack's
# medinfra:policy.minLogRetentionDays may raise (data.medinfra.lib.settings); 365 without one.
minimum := object.get(data.medinfra.lib.settings, "logRetentionDays", data.medinfra.lib.min_log_retention_days)

kept(days) if days >= minimum

deny contains finding if {
	some group in data.medinfra.lib.of_type("aws:cloudwatch/logGroup:LogGroup")
	days := object.get(data.medinfra.lib.obj(group.props), "retentionInDays", null)
	days != 0
	not kept(days)
	finding := data.medinfra.lib.finding(group, sprintf("log group %s keeps logs %v days, less than %d", [group.name, days, minimum]))
}

deny contains finding if {
	some workspace in data.medinfra.lib.of_type("azure-native:operationalinsights:Workspace")
	days := object.get(data.medinfra.lib.obj(workspace.props), "retentionInDays", null)
	not kept(days)
	finding := data.medinfra.lib.finding(workspace, sprintf("Log Analytics workspace %s keeps logs %v days, less than %d", [workspace.name, days, minimum]))
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("gcp:logging/projectBucketConfig:ProjectBucketConfig")
	days := object.get(data.medinfra.lib.obj(bucket.props), "retentionDays", null)
	not kept(days)
	finding := data.medinfra.lib.finding(bucket, sprintf("log bucket %s keeps logs %v days, less than %d", [bucket.name, days, minimum]))
}
