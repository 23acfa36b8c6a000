# METADATA
# title: Resources carry the required ownership and classification tags
# description: >-
#   Every taggable resource says who owns it, who pays for it, which environment it belongs
#   to and what class of data it handles, and that class matches the stack's
#   dataClassification. Untagged resources cannot be attributed in an audit or an incident.
#   AWS and Azure use tags (owner, costCenter, environment, dataClassification); GCP uses
#   labels, which must be lowercase (owner, cost_center, environment, data_classification): on
#   GKE node pools, the labels of the node VMs (nodeConfig.resourceLabels). An organisation
#   sets its own names and allowed values (requiredTags of the medinfra-settings policy in the
#   policy-pack config; an empty list allows any non-empty value), which replace these; GCP
#   labels then use each name and value lowercased with camelCase as snake_case (costCenter ->
#   cost_center) and other characters as "-", and Kubernetes namespaces, workloads and
#   InferenceServices must carry them as metadata.labels. A stack's
#   medinfra:policy.requiredTags may add names or narrow allowed values.
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
#     - aws:ec2/routeTable:RouteTable
#     - aws:ec2/internetGateway:InternetGateway
#     - aws:ec2/natGateway:NatGateway
#     - aws:ec2/eip:Eip
#     - aws:ec2/vpcEndpoint:VpcEndpoint
#     - aws:ec2/securityGroup:SecurityGroup
#     - aws:ec2/defaultSecurityGroup:DefaultSecurityGroup
#     - aws:ec2/flowLog:FlowLog
#     - aws:eks/cluster:Cluster
#     - aws:eks/nodeGroup:NodeGroup
#     - aws:eks/addon:Addon
#     - aws:ecr/repository:Repository
#     - aws:iam/role:Role
#     - aws:iam/openIdConnectProvider:OpenIdConnectProvider
#     - aws:cloudwatch/logGroup:LogGroup
#     - aws:ec2/launchTemplate:LaunchTemplate
#     - azure-native:resources:ResourceGroup
#     - azure-native:storage:StorageAccount
#     - azure-native:keyvault:Vault
#     - azure-native:keyvault:Key
#     - azure-native:containerregistry:Registry
#     - azure-native:containerservice:ManagedCluster
#     - azure-native:containerservice:AgentPool
#     - azure-native:managedidentity:UserAssignedIdentity
#     - azure-native:network:VirtualNetwork
#     - azure-native:network:NetworkSecurityGroup
#     - azure-native:network:NatGateway
#     - azure-native:network:PublicIPAddress
#     - azure-native:network:PrivateEndpoint
#     - azure-native:network:FlowLog
#     - azure-native:privatedns:PrivateZone
#     - azure-native:privatedns:VirtualNetworkLink
#     - azure-native:operationalinsights:Workspace
#     - azure-native:compute:DiskEncryptionSet
#     - gcp:storage/bucket:Bucket
#     - gcp:artifactregistry/repository:Repository
#     - gcp:kms/cryptoKey:CryptoKey
#     - gcp:container/cluster:Cluster
#     - gcp:container/nodePool:NodePool
#     - aws-native:healthimaging:Datastore
#     - aws-native:healthlake:FhirDatastore
#     - aws:cloudtrail/eventDataStore:EventDataStore
#     - azure-native:healthcareapis:Workspace
#     - azure-native:healthcareapis:DicomService
#     - azure-native:healthcareapis:FhirService
#     - gcp:healthcare/dicomStore:DicomStore
#     - gcp:healthcare/fhirStore:FhirStore
#     - kubernetes:core/v1:Namespace
#     - kubernetes:apps/v1:Deployment
#     - kubernetes:apps/v1:StatefulSet
#     - kubernetes:apps/v1:DaemonSet
#     - kubernetes:batch/v1:Job
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#   remediation: >-
#     Set medinfra:tags (owner, costCenter) in the stack config; MedInfra's Platform adds
#     environment and dataClassification to every taggable resource (as labels on GCP).
#     Outside MedInfra, tag the resource with owner, costCenter, environment and
#     dataClassification (GCP labels: owner, cost_center, environment, data_classification),
#     or with the names and values the organisation's policy-pack config requires.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/compose.py: tag_transformations()"
#       - "components/aws/health_store.py: HealthStoreArgs.tags / HealthStore"
#     azure:
#       - "components/azure/compose.py: tag_transformations()"
#     gcp:
#       - "components/gcp/compose.py: tag_transformations()"
#     k8s:
#       - "none: no MedInfra component labels Kubernetes objects with an organisation's tags; the rule judges them only when the policy-pack config sets requiredTags"
package medinfra.rules.required_tags_present

import rego.v1

# Taggable type -> the path of the property holding its tags or labels.
taggable := {
	"aws:s3/bucket:Bucket": ["tags"],
	"aws:kms/key:Key": ["tags"],
	"aws:ec2/vpc:Vpc": ["tags"],
	"aws:ec2/subnet:Subnet": ["tags"],
	"aws:ec2/routeTable:RouteTable": ["tags"],
	"aws:ec2/internetGateway:InternetGateway": ["tags"],
	"aws:ec2/natGateway:NatGateway": ["tags"],
	"aws:ec2/eip:Eip": ["tags"],
	"aws:ec2/vpcEndpoint:VpcEndpoint": ["tags"],
	"aws:ec2/securityGroup:SecurityGroup": ["tags"],
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ["tags"],
	"aws:ec2/flowLog:FlowLog": ["tags"],
	"aws:eks/cluster:Cluster": ["tags"],
	"aws:eks/nodeGroup:NodeGroup": ["tags"],
	"aws:eks/addon:Addon": ["tags"],
	"aws:ecr/repository:Repository": ["tags"],
	"aws:iam/role:Role": ["tags"],
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": ["tags"],
	"aws:cloudwatch/logGroup:LogGroup": ["tags"],
	"aws:ec2/launchTemplate:LaunchTemplate": ["tags"],
	"azure-native:resources:ResourceGroup": ["tags"],
	"azure-native:storage:StorageAccount": ["tags"],
	"azure-native:keyvault:Vault": ["tags"],
	"azure-native:keyvault:Key": ["tags"],
	"azure-native:containerregistry:Registry": ["tags"],
	"azure-native:containerservice:ManagedCluster": ["tags"],
	"azure-native:containerservice:AgentPool": ["tags"],
	"azure-native:managedidentity:UserAssignedIdentity": ["tags"],
	"azure-native:network:VirtualNetwork": ["tags"],
	"azure-native:network:NetworkSecurityGroup": ["tags"],
	"azure-native:network:NatGateway": ["tags"],
	"azure-native:network:PublicIPAddress": ["tags"],
	"azure-native:network:PrivateEndpoint": ["tags"],
	"azure-native:network:FlowLog": ["tags"],
	"azure-native:privatedns:PrivateZone": ["tags"],
	"azure-native:privatedns:VirtualNetworkLink": ["tags"],
	"azure-native:operationalinsights:Workspace": ["tags"],
	"azure-native:compute:DiskEncryptionSet": ["tags"],
	"gcp:storage/bucket:Bucket": ["labels"],
	"gcp:artifactregistry/repository:Repository": ["labels"],
	"gcp:kms/cryptoKey:CryptoKey": ["labels"],
	"gcp:container/cluster:Cluster": ["resourceLabels"],
	"gcp:container/nodePool:NodePool": ["nodeConfig", "resourceLabels"],
	"aws-native:healthimaging:Datastore": ["tags"],
	"aws-native:healthlake:FhirDatastore": ["tags"],
	"aws:cloudtrail/eventDataStore:EventDataStore": ["tags"],
	"azure-native:healthcareapis:Workspace": ["tags"],
	"azure-native:healthcareapis:DicomService": ["tags"],
	"azure-native:healthcareapis:FhirService": ["tags"],
	"gcp:healthcare/dicomStore:DicomStore": ["labels"],
	"gcp:healthcare/fhirStore:FhirStore": ["labels"],
}

# The properties this rule judges (data.medinfra.lib.unverifiable): tags must be known at preview.
verifiable := {t: {concat("/", array.concat([""], path)): "value"} | some t, path in taggable}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

# Kubernetes objects carry the organisation's tags as labels, names and values as given; judged
# only when the organisation's policy-pack config sets requiredTags (MedInfra's built-in names
# are for cloud resources).
k8s_taggable := {
	"kubernetes:core/v1:Namespace": ["metadata", "labels"],
	"kubernetes:apps/v1:Deployment": ["metadata", "labels"],
	"kubernetes:apps/v1:StatefulSet": ["metadata", "labels"],
	"kubernetes:apps/v1:DaemonSet": ["metadata", "labels"],
	"kubernetes:batch/v1:Job": ["metadata", "labels"],
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": ["metadata", "labels"],
}

# Without settings from the gate, MedInfra's built-in names (any value).
built_in := {
	"tags": {"owner": [], "costCenter": [], "environment": [], "dataClassification": []},
	"labels": {"owner": [], "cost_center": [], "environment": [], "data_classification": []},
}

required_tags := object.get(data.medinfra.lib.settings, "requiredTags", built_in)

from_org if data.medinfra.lib.settings.requiredTagsFrom == "policy-pack config"

# Tag name -> allowed values (empty: any non-empty value) for tags at `path`: GCP labels use the
# names and values as GCP allows them (policies/settings.py gcp_label: costCenter -> cost_center).
required(path) := object.get(required_tags, "tags", {}) if path == ["tags"]

required(path) := object.get(required_tags, "tags", {}) if path == ["metadata", "labels"]

required(path) := object.get(required_tags, "labels", {}) if {
	path != ["tags"]
	path != ["metadata", "labels"]
}

# (resource, its tags or labels, where they live) for every taggable resource.
tagged contains [resource, t, path] if {
	some type, path in taggable
	some resource in data.medinfra.lib.of_type(type)
	t := tags(resource.props, path)
}

tagged contains [resource, t, path] if {
	from_org
	some type, path in k8s_taggable
	some resource in data.medinfra.lib.of_type(type)
	t := tags(resource.props, path)
}

# Tags that are not an object ("[unknown]", null) count as none. Cloud Control (aws-native)
# resources such as HealthLake take a list of {key, value}.
tags(props, path) := t if {
	t := object.get(data.medinfra.lib.obj(props), path, null)
	is_object(t)
} else := t if {
	listed := object.get(data.medinfra.lib.obj(props), path, null)
	is_array(listed)
	t := {tag.key: tag.value | some tag in listed; is_object(tag); is_string(tag.key)}
} else := {}

present(t, key) if {
	is_string(t[key])
	t[key] != ""
}

deny contains finding if {
	some [resource, t, path] in tagged
	missing := {k | some k, _ in data.medinfra.rules.required_tags_present.required(path); not present(t, k)}
	count(missing) > 0
	finding := {
		"urn": resource.urn,
		"message": sprintf("%s %s lacks required %s %v", [resource.type, resource.name, concat(".", path), sort(missing)]),
	}
}

deny contains finding if {
	some [resource, t, path] in tagged
	some key, allowed in data.medinfra.rules.required_tags_present.required(path)
	count(allowed) > 0
	present(t, key)
	not t[key] in {v | some v in allowed}
	finding := {
		"urn": resource.urn,
		"message": sprintf("%s %s is tagged %s=%v; allowed values: %v (%s)", [resource.type, resource.name, key, t[key], allowed, object.get(data.medinfra.lib.settings, "requiredTagsFrom", "built-in")]),
	}
}
