# METADATA
# title: A workload identity trusts exactly one Kubernetes service account
# description: >-
#   Pods get cloud credentials without keys by presenting their service account token, so a
#   workload identity is only as narrow as its trust: one service account, in one namespace, of
#   a cluster of this plan, with no wildcard, and no identity shared between service accounts.
#   AWS roles assumable with a web identity (IRSA) pin the token's sub with StringEquals to one
#   system:serviceaccount:<namespace>:<name> and its aud to sts.amazonaws.com, for an OIDC
#   provider of this plan. AWS roles trusted by EKS Pod Identity (pods.eks.amazonaws.com) pin
#   the session tags eks-cluster-name (a cluster of this plan), kubernetes-namespace and
#   kubernetes-service-account with StringEquals, and are associated with exactly that one
#   service account (aws.eks.PodIdentityAssociation). Azure federated identity credentials name the OIDC issuer of an AKS
#   cluster of this plan, one service account subject and only the audience
#   api://AzureADTokenExchange. GCP roles/iam.workloadIdentityUser grants on a service account
#   name one PROJECT.svc.id.goog[namespace/name] of a GKE workload pool of this plan.
# custom:
#   id: MED-IAM-005
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(1)", "164.312(d)", "164.308(a)(4)(ii)(B)"]
#     gdpr: ["Art.25(2)", "Art.32(1)(b)"]
#     cis: []
#   resource_types:
#     - aws:iam/role:Role
#     - aws:eks/podIdentityAssociation:PodIdentityAssociation
#     - azure-native:managedidentity:FederatedIdentityCredential
#     - gcp:serviceaccount/iAMMember:IAMMember
#     - gcp:serviceaccount/iAMBinding:IAMBinding
#   remediation: >-
#     Give each model server its own cloud identity, trusted by its one service account only
#     (MedInfra's WorkloadIdentity does). AWS: a trust statement with StringEquals
#     "<issuer>:sub": "system:serviceaccount:<namespace>:<name>" and "<issuer>:aud":
#     "sts.amazonaws.com" for the cluster's OIDC provider (never StringLike or a wildcard); or,
#     with EKS Pod Identity, StringEquals on aws:RequestTag/eks-cluster-name,
#     aws:RequestTag/kubernetes-namespace and aws:RequestTag/kubernetes-service-account and one
#     PodIdentityAssociation for that service account. Azure:
#     issuer the AKS cluster's oidcIssuerProfile.issuerURL, subject
#     system:serviceaccount:<namespace>:<name>, audiences ["api://AzureADTokenExchange"]. GCP:
#     grant roles/iam.workloadIdentityUser to serviceAccount:PROJECT.svc.id.goog[namespace/name],
#     never to a principalSet of a namespace or pool.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/policies.py: pod_identity_trust_policy()"
#       - "components/aws/identity.py: WorkloadIdentityArgs.namespace / WorkloadIdentityArgs.service_account / WorkloadIdentity"
#     azure:
#       - "components/azure/identity.py: subject() / WorkloadIdentityArgs.service_account / WorkloadIdentity"
#     gcp:
#       - "components/gcp/identity.py: workload_member() / WorkloadIdentityArgs.service_account / WorkloadIdentity"
package medinfra.rules.workload_identity_bound_to_one_service_account

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:iam/role:Role": {
		"/assumeRolePolicy": "value",
	},
	"azure-native:managedidentity:FederatedIdentityCredential": {
		"/subject": "value",
		"/audiences": "value",
		"/issuer": "azure-native:containerservice:ManagedCluster",
		"/resourceName": "azure-native:managedidentity:UserAssignedIdentity",
	},
	"gcp:serviceaccount/iAMMember:IAMMember": {
		"/role": "value",
		"/member": "value",
		"/serviceAccountId": "gcp:serviceaccount/account:Account",
	},
	"gcp:serviceaccount/iAMBinding:IAMBinding": {
		"/role": "value",
		"/members": "value",
		"/serviceAccountId": "gcp:serviceaccount/account:Account",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

# One Kubernetes service account, named in full.
one_account(subject) if {
	is_string(subject)
	regex.match(`^system:serviceaccount:[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`, subject)
}

# A condition value that is exactly one account or `want`, alone or as a one-element list.
one_account_value(v) if one_account(v)

one_account_value(v) if {
	is_array(v)
	count(v) == 1
	one_account(v[0])
}

only(v, want) if v == want

only(v, want) if v == [want]

# The identity a grant or credential belongs to: the plan resource it references, else its name.
identity_of(r, path, prop) := u if {
	u := r.references[path]
} else := sprintf("%v", [object.get(data.medinfra.lib.obj(r.props), prop, r.urn)])

# AWS: IRSA roles.

role_type := "aws:iam/role:Role"

deny contains finding if {
	some role in data.medinfra.lib.of_type(role_type)
	not is_object(data.medinfra.lib.policy_doc(role.props.assumeRolePolicy))
	finding := data.medinfra.lib.finding(role, sprintf("trust policy of role %s cannot be read (missing or not JSON)", [role.name]))
}

web_identity(s) if {
	s.Effect == "Allow"
	some a in data.medinfra.lib.items(data.medinfra.lib.as_list(object.get(data.medinfra.lib.obj(s), "Action", [])))
	a == "sts:AssumeRoleWithWebIdentity"
}

# A federated principal allowed every STS action can use a web identity too.
web_identity(s) if {
	s.Effect == "Allow"
	s.Principal.Federated
	some a in data.medinfra.lib.items(data.medinfra.lib.as_list(object.get(data.medinfra.lib.obj(s), "Action", [])))
	a in {"*", "sts:*"}
}

web_statements contains value if {
	some role in data.medinfra.lib.of_type(role_type)
	some s in data.medinfra.lib.items(data.medinfra.lib.statements(data.medinfra.lib.policy_doc(role.props.assumeRolePolicy)))
	web_identity(s)
	value := [role, s]
}

string_equals(s) := e if {
	e := s.Condition.StringEquals
	is_object(e)
} else := {}

# The issuer whose sub claim the statement pins, when it pins exactly one.
pinned_issuer(s) := issuer if {
	keys := [k | some k, _ in data.medinfra.rules.workload_identity_bound_to_one_service_account.string_equals(s); endswith(k, ":sub")]
	count(keys) == 1
	issuer := trim_suffix(keys[0], ":sub")
}

plan_issuers contains issuer if {
	some provider in data.medinfra.lib.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
	is_string(provider.props.url)
	issuer := trim_prefix(provider.props.url, "https://")
}

deny contains finding if {
	some [role, s] in web_statements
	not pinned_issuer(s)
	finding := data.medinfra.lib.finding(role, sprintf("role %s can be assumed with a web identity whose sub is not pinned with StringEquals", [role.name]))
}

deny contains finding if {
	some [role, s] in web_statements
	issuer := pinned_issuer(s)
	subject := string_equals(s)[concat("", [issuer, ":sub"])]
	not one_account_value(subject)
	finding := data.medinfra.lib.finding(role, sprintf("role %s trusts %v, not one Kubernetes service account", [role.name, subject]))
}

deny contains finding if {
	some [role, s] in web_statements
	issuer := pinned_issuer(s)
	not only(string_equals(s)[concat("", [issuer, ":aud"])], "sts.amazonaws.com")
	finding := data.medinfra.lib.finding(role, sprintf("role %s does not pin the token's aud to sts.amazonaws.com", [role.name]))
}

deny contains finding if {
	some [role, s] in web_statements
	issuer := pinned_issuer(s)
	not issuer in plan_issuers
	finding := data.medinfra.lib.finding(role, sprintf("role %s trusts tokens of %s, which is not an OIDC provider of this plan", [role.name, issuer]))
}

aws_subjects contains value if {
	some [role, s] in web_statements
	issuer := pinned_issuer(s)
	some subject in data.medinfra.lib.items(data.medinfra.lib.as_list(string_equals(s)[concat("", [issuer, ":sub"])]))
	value := [role.urn, subject]
}

deny contains finding if {
	some role in data.medinfra.lib.of_type(role_type)
	subjects := {x | some [u, x] in aws_subjects; u == role.urn}
	count(subjects) > 1
	finding := data.medinfra.lib.finding(role, sprintf("role %s trusts more than one service account %v", [role.name, sort(subjects)]))
}

# AWS: EKS Pod Identity roles (the trust names only the service; the session tags say whose
# pod asks, so the trust must pin them, and the association must grant that one account).

pod_identity_tags := ["aws:RequestTag/eks-cluster-name", "aws:RequestTag/kubernetes-namespace", "aws:RequestTag/kubernetes-service-account"]

pod_statements contains value if {
	some role in data.medinfra.lib.of_type(role_type)
	some s in data.medinfra.lib.statements(data.medinfra.lib.policy_doc(role.props.assumeRolePolicy))
	s.Effect == "Allow"
	some principal in data.medinfra.lib.as_list(object.get(object.get(s, "Principal", {}), "Service", []))
	principal == "pods.eks.amazonaws.com"
	value := [role, s]
}

# The one value a statement pins a session tag to with StringEquals.
pinned_tag(s, tag) := v if {
	v := string_equals(s)[tag]
	is_string(v)
}

pinned_tag(s, tag) := v if {
	value := string_equals(s)[tag]
	is_array(value)
	count(value) == 1
	v := value[0]
	is_string(v)
}

deny contains finding if {
	some [role, s] in pod_statements
	some tag in pod_identity_tags
	not pinned_tag(s, tag)
	finding := data.medinfra.lib.finding(role, sprintf("role %s can be assumed through EKS Pod Identity without %s pinned to one value with StringEquals", [role.name, tag]))
}

plan_cluster_names contains name if {
	some cluster in data.medinfra.lib.of_type("aws:eks/cluster:Cluster")
	name := cluster.props.name
}

deny contains finding if {
	some [role, s] in pod_statements
	name := pinned_tag(s, "aws:RequestTag/eks-cluster-name")
	not name in plan_cluster_names
	finding := data.medinfra.lib.finding(role, sprintf("role %s trusts pods of cluster %v, which is not an EKS cluster of this plan", [role.name, name]))
}

association_type := "aws:eks/podIdentityAssociation:PodIdentityAssociation"

# Pod Identity associations of a plan role: [role urn, "namespace/name", association].
associations contains value if {
	some a in data.medinfra.lib.of_type(association_type)
	value := [a.references["/roleArn"], sprintf("%v/%v", [object.get(a.props, "namespace", ""), object.get(a.props, "serviceAccount", "")]), a]
}

deny contains finding if {
	some [role, s] in pod_statements
	trusted := sprintf("%v/%v", [pinned_tag(s, "aws:RequestTag/kubernetes-namespace"), pinned_tag(s, "aws:RequestTag/kubernetes-service-account")])
	some [u, account, a] in associations
	u == role.urn
	account != trusted
	finding := data.medinfra.lib.finding(a, sprintf("Pod Identity association %s grants role %s to %s, but the role trusts only %s", [a.name, role.name, account, trusted]))
}

deny contains finding if {
	some role in data.medinfra.lib.of_type(role_type)
	accounts := {x | some [u, x, _] in associations; u == role.urn}
	count(accounts) > 1
	finding := data.medinfra.lib.finding(role, sprintf("role %s is associated with more than one service account %v", [role.name, sort(accounts)]))
}

deny contains finding if {
	some a in data.medinfra.lib.of_type(association_type)
	not a.references["/roleArn"]
	not data.medinfra.lib.trusted_identity(object.get(a.props, "roleArn", null))
	finding := data.medinfra.lib.finding(a, sprintf("Pod Identity association %s grants a role that is neither a role of this plan nor one the organisation trusts%s", [a.name, data.medinfra.lib.stack_origin(a, "/roleArn")]))
}

# Azure: federated identity credentials of user-assigned identities.

fic_type := "azure-native:managedidentity:FederatedIdentityCredential"

deny contains finding if {
	some fic in data.medinfra.lib.of_type(fic_type)
	not one_account(fic.props.subject)
	finding := data.medinfra.lib.finding(fic, sprintf("federated credential %s trusts %v, not one Kubernetes service account", [fic.name, object.get(data.medinfra.lib.obj(fic.props), "subject", "no subject")]))
}

deny contains finding if {
	some fic in data.medinfra.lib.of_type(fic_type)
	not fic.props.audiences == ["api://AzureADTokenExchange"]
	finding := data.medinfra.lib.finding(fic, sprintf("federated credential %s accepts audiences %v, not only api://AzureADTokenExchange", [fic.name, data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(fic.props), "audiences", []))]))
}

plan_issuer(fic) if {
	is_string(fic.props.issuer)
	data.medinfra.lib.target(fic, "/issuer", fic.props.issuer, {"azure-native:containerservice:ManagedCluster"})
}

deny contains finding if {
	some fic in data.medinfra.lib.of_type(fic_type)
	not plan_issuer(fic)
	finding := data.medinfra.lib.finding(fic, sprintf("federated credential %s trusts an issuer that is not the OIDC issuer of an AKS cluster of this plan", [fic.name]))
}

azure_subjects contains value if {
	some fic in data.medinfra.lib.of_type(fic_type)
	subject := fic.props.subject
	value := [identity_of(fic, "/resourceName", "resourceName"), subject]
}

deny contains finding if {
	some fic in data.medinfra.lib.of_type(fic_type)
	identity := identity_of(fic, "/resourceName", "resourceName")
	subjects := {x | some [i, x] in azure_subjects; i == identity}
	count(subjects) > 1
	finding := data.medinfra.lib.finding(fic, sprintf("federated credential %s is one of several trusting different service accounts %v with one identity", [fic.name, sort(subjects)]))
}

# GCP: who may act as a Google service account through a GKE workload pool.

wi_role := "roles/iam.workloadIdentityUser"

plan_pools contains pool if {
	some cluster in data.medinfra.lib.of_type("gcp:container/cluster:Cluster")
	pool := cluster.props.workloadIdentityConfig.workloadPool
	is_string(pool)
}

one_workload(member) if {
	is_string(member)
	regex.match(`^serviceAccount:[a-z0-9.:-]+\.svc\.id\.goog\[[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[a-z0-9]([-a-z0-9.]*[a-z0-9])?\]$`, member)
	split(trim_prefix(member, "serviceAccount:"), "[")[0] in plan_pools
}

# (grant, the service account it is on, one member) for every workload identity grant.
gcp_members contains value if {
	some grant in data.medinfra.lib.of_type("gcp:serviceaccount/iAMMember:IAMMember")
	grant.props.role == wi_role
	value := [grant, identity_of(grant, "/serviceAccountId", "serviceAccountId"), object.get(data.medinfra.lib.obj(grant.props), "member", null)]
}

gcp_members contains value if {
	some grant in data.medinfra.lib.of_type("gcp:serviceaccount/iAMBinding:IAMBinding")
	grant.props.role == wi_role
	some member in data.medinfra.lib.items(object.get(data.medinfra.lib.obj(grant.props), "members", [null]))
	value := [grant, identity_of(grant, "/serviceAccountId", "serviceAccountId"), member]
}

deny contains finding if {
	some [grant, _, member] in gcp_members
	not one_workload(member)
	finding := data.medinfra.lib.finding(grant, sprintf("grant %s lets %v act as the service account: not one Kubernetes service account of a GKE workload pool of this plan", [grant.name, member]))
}

deny contains finding if {
	some [grant, account, _] in gcp_members
	members := {m | some [_, a, m] in gcp_members; a == account}
	count(members) > 1
	finding := data.medinfra.lib.finding(grant, sprintf("grant %s is one of several letting different members %v act as one service account", [grant.name, sort(members)]))
}
