# METADATA
# title: Resources carry the required ownership and classification tags
# description: >-
#   Every taggable resource says who owns it, who pays for it, which environment it belongs
#   to and what class of data it handles, and that class matches the stack's
#   dataClassification. Untagged resources cannot be attributed in an audit or an incident.
#   AWS and Azure use tags (owner, costCenter, environment, dataClassification); GCP uses
#   labels, which must be lowercase (owner, cost_center, environment, data_classification).
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
#     - azure-native:storage:StorageAccount
#     - azure-native:keyvault:Vault
#     - azure-native:keyvault:Key
#     - azure-native:containerregistry:Registry
#     - azure-native:containerservice:ManagedCluster
#     - azure-native:containerservice:AgentPool
#     - azure-native:network:VirtualNetwork
#     - azure-native:network:NetworkSecurityGroup
#     - azure-native:operationalinsights:Workspace
#     - azure-native:compute:DiskEncryptionSet
#     - gcp:storage/bucket:Bucket
#     - gcp:artifactregistry/repository:Repository
#     - gcp:container/cluster:Cluster
#   remediation: >-
#     Set medinfra:tags (owner, costCenter) in the stack config; MedInfra's Platform adds
#     environment and dataClassification to every taggable resource (as labels on GCP).
#     Outside MedInfra, tag the resource with owner, costCenter, environment and
#     dataClassification (GCP labels: owner, cost_center, environment, data_classification).
#   waivable: true
package medinfra.rules.required_tags_present

import rego.v1

# Taggable type -> the property holding its tags or labels.
taggable := {
	"aws:s3/bucket:Bucket": "tags", "aws:kms/key:Key": "tags", "aws:ec2/vpc:Vpc": "tags",
	"aws:ec2/subnet:Subnet": "tags", "aws:eks/cluster:Cluster": "tags",
	"aws:eks/nodeGroup:NodeGroup": "tags", "aws:ecr/repository:Repository": "tags",
	"aws:iam/role:Role": "tags", "aws:cloudwatch/logGroup:LogGroup": "tags",
	"aws:ec2/launchTemplate:LaunchTemplate": "tags",
	"azure-native:storage:StorageAccount": "tags", "azure-native:keyvault:Vault": "tags",
	"azure-native:keyvault:Key": "tags", "azure-native:containerregistry:Registry": "tags",
	"azure-native:containerservice:ManagedCluster": "tags",
	"azure-native:containerservice:AgentPool": "tags", "azure-native:network:VirtualNetwork": "tags",
	"azure-native:network:NetworkSecurityGroup": "tags",
	"azure-native:operationalinsights:Workspace": "tags", "azure-native:compute:DiskEncryptionSet": "tags",
	"gcp:storage/bucket:Bucket": "labels", "gcp:artifactregistry/repository:Repository": "labels",
	"gcp:container/cluster:Cluster": "resourceLabels",
}

# The keys each kind of property must carry, and which one states the data classification.
required := {
	"tags": {"owner", "costCenter", "environment", "dataClassification"},
	"labels": {"owner", "cost_center", "environment", "data_classification"},
	"resourceLabels": {"owner", "cost_center", "environment", "data_classification"},
}

classification_key := {"tags": "dataClassification", "labels": "data_classification", "resourceLabels": "data_classification"}

expected := object.get(data.medinfra.lib.config, "dataClassification", "phi")

# (resource, its tags or labels, which property) for every taggable resource of the plan.
tagged contains [resource, t, prop] if {
	some type, prop in taggable
	some resource in data.medinfra.lib.of_type(type)
	t := object.filter(tags(resource.props, prop), required[prop])
}

# Tags that are not an object ("[unknown]", null) count as none.
tags(props, prop) := t if {
	t := props[prop]
	is_object(t)
} else := {}

deny contains finding if {
	some [resource, t, prop] in tagged
	count(t) != count(required[prop])
	missing := {k | some k in required[prop]; not k in object.keys(t)}
	finding := {
		"urn": resource.urn,
		"message": sprintf("%s %s lacks required %s %v", [resource.type, resource.name, prop, sort(missing)]),
	}
}

deny contains finding if {
	some [resource, t, prop] in tagged
	stated := t[classification_key[prop]]
	stated != expected
	finding := {
		"urn": resource.urn,
		"message": sprintf("%s %s is tagged %s=%v but the stack handles %v", [resource.type, resource.name, classification_key[prop], stated, expected]),
	}
}
