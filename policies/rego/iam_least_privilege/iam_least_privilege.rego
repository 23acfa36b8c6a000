# METADATA
# title: Permissions are scoped to specific actions and resources
# description: >-
#   A workload that can do anything, anywhere, turns one compromised pod into a full breach.
#   AWS IAM policies never allow every action ("*" or "service:*") or every resource ("*"),
#   and no administrator managed policy is attached; Azure role assignments are scoped to a
#   single resource (not a subscription, management group or resource group) and never grant
#   Owner, Contributor or User Access Administrator; GCP project-level grants never use the
#   basic roles (owner, editor, viewer) or let a principal impersonate service accounts, and
#   Cloud Healthcare roles are granted on a store or dataset, never on the project, and never
#   as an administrator or basic role.
# custom:
#   id: MED-IAM-001
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)", "164.308(a)(3)(ii)(A)"]
#     gdpr: ["Art.25(2)", "Art.32(1)(b)"]
#     cis: ["AWS 1.16", "Azure 1.23", "GCP 1.5", "GCP 1.6"]
#   resource_types:
#     - aws:iam/rolePolicy:RolePolicy
#     - aws:iam/policy:Policy
#     - aws:iam/rolePolicyAttachment:RolePolicyAttachment
#     - azure-native:authorization:RoleAssignment
#     - gcp:projects/iAMMember:IAMMember
#     - gcp:projects/iAMBinding:IAMBinding
#     - gcp:healthcare/datasetIamMember:DatasetIamMember
#     - gcp:healthcare/dicomStoreIamMember:DicomStoreIamMember
#     - gcp:healthcare/fhirStoreIamMember:FhirStoreIamMember
#   remediation: >-
#     AWS: list the exact actions and resource ARNs (MedInfra's identity reads one model prefix
#     and decrypts with one key). Azure: assign a data-plane role (e.g. Storage Blob Data
#     Reader) on the one storage account or key. GCP: grant predefined roles on the bucket or
#     key itself instead of the project; Cloud Healthcare: a read role
#     (roles/healthcare.dicomViewer, roles/healthcare.fhirResourceReader) on the one store.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/policies.py: model_reader_policy() / flow_logs_policy()"
#       - "components/aws/identity.py: WorkloadIdentityArgs.bucket_arn / WorkloadIdentityArgs.key_alias / WorkloadIdentity"
#     azure:
#       - "components/azure/common.py: grant() / role_definition_id()"
#     gcp:
#       - "components/gcp/gpu_cluster.py: GpuCluster"
#       - "components/gcp/health_store.py: HealthDataset.grant_reader()"
package medinfra.rules.iam_least_privilege

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:iam/rolePolicy:RolePolicy": {
		"/policy": "value",
	},
	"aws:iam/policy:Policy": {
		"/policy": "value",
	},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
		"/policyArn": "value",
	},
	"azure-native:authorization:RoleAssignment": {
		"/scope": "azure_scope",
		"/roleDefinitionId": "value",
	},
	"gcp:projects/iAMMember:IAMMember": {
		"/role": "value",
	},
	"gcp:projects/iAMBinding:IAMBinding": {
		"/role": "value",
	},
	"gcp:healthcare/datasetIamMember:DatasetIamMember": {
		"/role": "value",
	},
	"gcp:healthcare/dicomStoreIamMember:DicomStoreIamMember": {
		"/role": "value",
	},
	"gcp:healthcare/fhirStoreIamMember:FhirStoreIamMember": {
		"/role": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

wild_action(a) if a == "*"

wild_action(a) if endswith(a, ":*")

too_broad(s) if {
	some a in data.medinfra.lib.items(data.medinfra.lib.as_list(object.get(data.medinfra.lib.obj(s), "Action", [])))
	wild_action(a)
}

too_broad(s) if {
	some r in data.medinfra.lib.items(data.medinfra.lib.as_list(object.get(data.medinfra.lib.obj(s), "Resource", [])))
	r == "*"
}

too_broad(s) if s.NotAction

broad_policy(p) if {
	some s in data.medinfra.lib.items(data.medinfra.lib.statements(data.medinfra.lib.policy_doc(p.props.policy)))
	s.Effect == "Allow"
	too_broad(s)
}

unreadable(p) if not is_object(data.medinfra.lib.policy_doc(p.props.policy))

deny contains finding if {
	some t in ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"]
	some p in data.medinfra.lib.of_type(t)
	broad_policy(p)
	finding := data.medinfra.lib.finding(p, sprintf("IAM policy %s allows every action or every resource", [p.name]))
}

deny contains finding if {
	some t in ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"]
	some p in data.medinfra.lib.of_type(t)
	unreadable(p)
	finding := data.medinfra.lib.finding(p, sprintf("IAM policy %s cannot be read (missing or not JSON)", [p.name]))
}

admin_policies := {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonS3FullAccess", "AWSKeyManagementServicePowerUser"}

deny contains finding if {
	some a in data.medinfra.lib.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
	name := regex.replace(a.props.policyArn, `^arn:aws[\w-]*:iam::aws:policy/(.*/)?`, "")
	name in admin_policies
	finding := data.medinfra.lib.finding(a, sprintf("role policy attachment %s attaches the broad managed policy %s", [a.name, name]))
}

broad_scope(scope) if regex.match(`(?i)^/subscriptions/[^/]+/?$`, scope)

broad_scope(scope) if regex.match(`(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/?$`, scope)

broad_scope(scope) if regex.match(`(?i)^/providers/Microsoft\.Management/managementGroups/`, scope)

broad_scope(scope) if scope == "/"

privileged_roles := {
	"8e3af657-a8ff-443c-a75c-2fe8c4bcb635", # Owner
	"b24988ac-6180-42a0-ab88-20f7382dd24c", # Contributor
	"18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", # User Access Administrator
}

deny contains finding if {
	some ra in data.medinfra.lib.of_type("azure-native:authorization:RoleAssignment")
	broad_scope(ra.props.scope)
	finding := data.medinfra.lib.finding(ra, sprintf("role assignment %s is scoped to %s, not to one resource", [ra.name, ra.props.scope]))
}

deny contains finding if {
	some ra in data.medinfra.lib.of_type("azure-native:authorization:RoleAssignment")
	not ra.props.scope
	finding := data.medinfra.lib.finding(ra, sprintf("role assignment %s has no scope", [ra.name]))
}

deny contains finding if {
	some ra in data.medinfra.lib.of_type("azure-native:authorization:RoleAssignment")
	some role in privileged_roles
	endswith(lower(ra.props.roleDefinitionId), role)
	finding := data.medinfra.lib.finding(ra, sprintf("role assignment %s grants a privileged role (Owner, Contributor or User Access Administrator)", [ra.name]))
}

broad_roles := {"roles/owner", "roles/editor", "roles/viewer", "roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"}

deny contains finding if {
	some t in ["gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding"]
	some grant in data.medinfra.lib.of_type(t)
	grant.props.role in broad_roles
	finding := data.medinfra.lib.finding(grant, sprintf("project-level grant %s uses the broad role %s", [grant.name, grant.props.role]))
}

deny contains finding if {
	some t in ["gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding"]
	some grant in data.medinfra.lib.of_type(t)
	startswith(grant.props.role, "roles/healthcare.")
	finding := data.medinfra.lib.finding(grant, sprintf("project-level grant %s gives %s on every Cloud Healthcare dataset of the project; grant it on the store", [grant.name, grant.props.role]))
}

healthcare_grant_types := [
	"gcp:healthcare/datasetIamMember:DatasetIamMember",
	"gcp:healthcare/dicomStoreIamMember:DicomStoreIamMember",
	"gcp:healthcare/fhirStoreIamMember:FhirStoreIamMember",
]

# Administrator roles (they change IAM or delete stores) and the basic roles.
admin_role(role) if role in broad_roles

admin_role(role) if {
	startswith(role, "roles/healthcare.")
	endswith(role, "Admin")
}

deny contains finding if {
	some t in healthcare_grant_types
	some grant in data.medinfra.lib.of_type(t)
	admin_role(grant.props.role)
	finding := data.medinfra.lib.finding(grant, sprintf("Cloud Healthcare grant %s uses the administrator or basic role %s", [grant.name, grant.props.role]))
}
