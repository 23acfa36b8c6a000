# METADATA
# title: Container registries are private
# description: >-
#   Model-server images must not be pullable (or pushable) by anyone on the internet. ECR
#   repository policies grant nothing to the "*" principal; Azure container registries have
#   public network access and anonymous pull off; Artifact Registry repositories are never
#   granted to allUsers or allAuthenticatedUsers.
# custom:
#   id: MED-NET-003
#   severity: critical
#   controls:
#     hipaa: ["164.312(a)(1)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["EKS 5.1.2", "AKS 5.1.2", "GKE 5.1.2"]
#   resource_types:
#     - aws:ecr/repositoryPolicy:RepositoryPolicy
#     - azure-native:containerregistry:Registry
#     - gcp:artifactregistry/repositoryIamMember:RepositoryIamMember
#     - gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding
#   remediation: >-
#     AWS: name the account (or specific roles) as principals in the repository policy, never
#     "*". Azure: publicNetworkAccess Disabled (private endpoint) and anonymousPullEnabled false.
#     GCP: grant artifactregistry roles to named service accounts only.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/policies.py: ecr_repository_policy()"
#       - "components/aws/registry.py: Registry"
#     azure:
#       - "components/azure/registry.py: Registry"
#     gcp:
#       - "components/gcp/registry.py: Registry.grant_reader()"
package medinfra.rules.registry_not_public

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:ecr/repositoryPolicy:RepositoryPolicy": {
		"/policy": "value",
	},
	"azure-native:containerregistry:Registry": {
		"/publicNetworkAccess": "value",
		"/anonymousPullEnabled": "value",
	},
	"gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": {
		"/member": "identity",
	},
	"gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding": {
		"/members": "identity",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

public_policy(policy) if {
	some s in data.medinfra.lib.items(data.medinfra.lib.statements(data.medinfra.lib.policy_doc(policy.props.policy)))
	s.Effect == "Allow"
	data.medinfra.lib.wildcard_principal(s.Principal)
	not s.Condition
}

readable(policy) if is_object(data.medinfra.lib.policy_doc(policy.props.policy))

deny contains finding if {
	some policy in data.medinfra.lib.of_type("aws:ecr/repositoryPolicy:RepositoryPolicy")
	public_policy(policy)
	finding := data.medinfra.lib.finding(policy, sprintf("ECR repository policy %s allows the \"*\" principal", [policy.name]))
}

deny contains finding if {
	some policy in data.medinfra.lib.of_type("aws:ecr/repositoryPolicy:RepositoryPolicy")
	not readable(policy)
	finding := data.medinfra.lib.finding(policy, sprintf("ECR repository policy %s cannot be read", [policy.name]))
}

deny contains finding if {
	some registry in data.medinfra.lib.of_type("azure-native:containerregistry:Registry")
	not registry.props.publicNetworkAccess == "Disabled"
	finding := data.medinfra.lib.finding(registry, sprintf("container registry %s is reachable from public networks (publicNetworkAccess is not Disabled)", [registry.name]))
}

deny contains finding if {
	some registry in data.medinfra.lib.of_type("azure-native:containerregistry:Registry")
	registry.props.anonymousPullEnabled == true
	finding := data.medinfra.lib.finding(registry, sprintf("container registry %s allows anonymous pull", [registry.name]))
}

public_members := {"allUsers", "allAuthenticatedUsers"}

deny contains finding if {
	some grant in data.medinfra.lib.of_type("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
	grant.props.member in public_members
	finding := data.medinfra.lib.finding(grant, sprintf("Artifact Registry grant %s makes the repository public (%s)", [grant.name, grant.props.member]))
}

deny contains finding if {
	some grant in data.medinfra.lib.of_type("gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding")
	some member in data.medinfra.lib.items(grant.props.members)
	member in public_members
	finding := data.medinfra.lib.finding(grant, sprintf("Artifact Registry binding %s makes the repository public (%s)", [grant.name, member]))
}
