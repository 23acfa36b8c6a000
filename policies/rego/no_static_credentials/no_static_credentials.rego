# METADATA
# title: No long-lived static credentials
# description: >-
#   Access keys and shared secrets leak through laptops, CI logs and images, and cannot be tied
#   to a person or a workload. The plan creates no AWS IAM user access keys and no GCP service
#   account keys; Azure storage accounts refuse shared-key (account key) access and Azure
#   container registries have the admin user off. Workloads use workload identity instead.
# custom:
#   id: MED-IAM-002
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(1)", "164.312(d)", "164.308(a)(5)(ii)(D)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["AWS 1.12", "Azure 3.3", "GCP 1.4"]
#   resource_types:
#     - aws:iam/accessKey:AccessKey
#     - gcp:serviceaccount/key:Key
#     - azure-native:storage:StorageAccount
#     - azure-native:containerregistry:Registry
#   remediation: >-
#     Remove the access key or service account key and bind the workload to a cloud identity
#     (IRSA / EKS Pod Identity, Azure workload identity, GKE Workload Identity). Azure: set
#     allowSharedKeyAccess false on storage accounts and adminUserEnabled false on registries.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "none: no MedInfra component creates IAM access keys; workloads use WorkloadIdentity (components/aws/identity.py)"
#     azure:
#       - "components/azure/data_store.py: DataStore"
#       - "components/azure/registry.py: Registry"
#     gcp:
#       - "none: no MedInfra component creates service account keys; workloads use WorkloadIdentity (components/gcp/identity.py)"
package medinfra.rules.no_static_credentials

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"azure-native:storage:StorageAccount": {
		"/allowSharedKeyAccess": "value",
	},
	"azure-native:containerregistry:Registry": {
		"/adminUserEnabled": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

deny contains finding if {
	some key in data.medinfra.lib.of_type("aws:iam/accessKey:AccessKey")
	finding := data.medinfra.lib.finding(key, sprintf("IAM access key %s is a long-lived static credential", [key.name]))
}

deny contains finding if {
	some key in data.medinfra.lib.of_type("gcp:serviceaccount/key:Key")
	finding := data.medinfra.lib.finding(key, sprintf("service account key %s is a long-lived static credential", [key.name]))
}

deny contains finding if {
	some account in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	not account.props.allowSharedKeyAccess == false
	finding := data.medinfra.lib.finding(account, sprintf("storage account %s accepts shared account keys (allowSharedKeyAccess is not false)", [account.name]))
}

deny contains finding if {
	some registry in data.medinfra.lib.of_type("azure-native:containerregistry:Registry")
	registry.props.adminUserEnabled == true
	finding := data.medinfra.lib.finding(registry, sprintf("container registry %s has the admin user enabled", [registry.name]))
}
