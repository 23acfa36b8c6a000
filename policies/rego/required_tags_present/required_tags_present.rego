# METADATA
# title: Resources carry the required ownership and classification tags
# description: >-
#   Every taggable resource says who owns it, who pays for it, which environment it belongs
#   to and what class of data it handles, and that class matches the stack's
#   dataClassification. Untagged resources cannot be attributed in an audit or an incident.
# custom:
#   id: MED-TAG-001
#   severity: medium
#   controls:
#     hipaa: ["164.308(a)(1)(ii)(A)"]
#     gdpr: ["Art.30"]
#     cis: []
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:kms/key:Key
#     - aws:ec2/vpc:Vpc
#     - aws:ec2/subnet:Subnet
#     - aws:eks/cluster:Cluster
#     - aws:eks/nodeGroup:NodeGroup
#     - aws:ecr/repository:Repository
#     - aws:iam/role:Role
#     - aws:cloudwatch/logGroup:LogGroup
#     - aws:ec2/launchTemplate:LaunchTemplate
#   remediation: >-
#     Set medinfra:tags (owner, costCenter) in the stack config; MedInfra's Platform adds
#     environment and dataClassification to every taggable resource. Outside MedInfra, tag the
#     resource with owner, costCenter, environment and dataClassification.
#   waivable: true
package medinfra.rules.required_tags_present

import rego.v1

required := {"owner", "costCenter", "environment", "dataClassification"}

taggable := {
	"aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet",
	"aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:ecr/repository:Repository",
	"aws:iam/role:Role", "aws:cloudwatch/logGroup:LogGroup", "aws:ec2/launchTemplate:LaunchTemplate",
}

tags(resource) := t if {
	t := resource.props.tags
	is_object(t)
} else := {}

deny contains finding if {
	some resource in input.resources
	resource.type in taggable
	present := {k | some k, _ in tags(resource)}
	missing := required - present
	count(missing) > 0
	finding := {
		"urn": resource.urn,
		"message": sprintf("%s %s lacks required tags %v", [resource.type, resource.name, sort(missing)]),
	}
}

deny contains finding if {
	some resource in input.resources
	resource.type in taggable
	stated := tags(resource).dataClassification
	expected := input.config.dataClassification
	stated != expected
	finding := {
		"urn": resource.urn,
		"message": sprintf("%s %s is tagged dataClassification=%v but the stack handles %v", [resource.type, resource.name, stated, expected]),
	}
}
