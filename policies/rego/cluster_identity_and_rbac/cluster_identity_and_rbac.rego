# METADATA
# title: Clusters use central identity, RBAC and workload identity; no local admin accounts
# description: >-
#   Every action in a cluster must be attributable to a person or a workload identity, and
#   pods must get cloud permissions without stored secrets. EKS uses access entries (API
#   authentication mode, not the aws-auth ConfigMap) and a workload identity mechanism: an
#   OIDC provider of this plan for IRSA, or the eks-pod-identity-agent add-on for EKS Pod
#   Identity (MED-IAM-005 judges either trust for exactly one service account); AKS has
#   Kubernetes RBAC with Entra ID integration, local accounts disabled and workload identity on;
#   GKE has Workload Identity, no legacy ABAC and no client certificate.
# custom:
#   id: MED-IAM-003
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(1)", "164.312(a)(2)(i)", "164.312(d)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["EKS 5.5.1", "AKS 3.1.1", "AKS 5.5.1", "GKE 5.2.1", "GKE 5.8.1", "GKE 5.8.3"]
#   resource_types:
#     - aws:eks/cluster:Cluster
#     - aws:iam/openIdConnectProvider:OpenIdConnectProvider
#     - aws:eks/addon:Addon
#     - azure-native:containerservice:ManagedCluster
#     - gcp:container/cluster:Cluster
#   remediation: >-
#     EKS: accessConfig.authenticationMode API, and either an aws.iam.OpenIdConnectProvider for
#     the cluster's issuer (IRSA) or an aws.eks.Addon eks-pod-identity-agent on the cluster (EKS
#     Pod Identity). AKS: enableRBAC true, aadProfile {managed: true, enableAzureRBAC: true},
#     disableLocalAccounts true, oidcIssuerProfile.enabled and
#     securityProfile.workloadIdentity.enabled true. GKE: workloadIdentityConfig.workloadPool set,
#     enableLegacyAbac false, masterAuth.clientCertificateConfig.issueClientCertificate false.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/gpu_cluster.py: GpuCluster"
#     azure:
#       - "components/azure/gpu_cluster.py: GpuClusterArgs.admin_group_object_ids / GpuCluster"
#     gcp:
#       - "components/gcp/gpu_cluster.py: GpuClusterArgs.project / GpuCluster"
package medinfra.rules.cluster_identity_and_rbac

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:eks/cluster:Cluster": {
		"/accessConfig/authenticationMode": "value",
	},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
		"/url": "aws:eks/cluster:Cluster",
	},
	"aws:eks/addon:Addon": {
		"/clusterName": "aws:eks/cluster:Cluster",
	},
	"azure-native:containerservice:ManagedCluster": {
		"/enableRBAC": "value",
		"/disableLocalAccounts": "value",
		"/aadProfile/managed": "value",
		"/aadProfile/enableAzureRBAC": "value",
		"/oidcIssuerProfile/enabled": "value",
		"/securityProfile/workloadIdentity/enabled": "value",
	},
	"gcp:container/cluster:Cluster": {
		"/workloadIdentityConfig/workloadPool": "value",
		"/enableLegacyAbac": "value",
		"/masterAuth/clientCertificateConfig/issueClientCertificate": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

oidc_clusters contains value if {
	some p in data.medinfra.lib.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
	value := data.medinfra.lib.target(p, "/url", object.get(p.props, "url", null), {"aws:eks/cluster:Cluster"})
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("aws:eks/cluster:Cluster")
	not cluster.props.accessConfig.authenticationMode == "API"
	finding := data.medinfra.lib.finding(cluster, sprintf("EKS cluster %s does not use access entries only (accessConfig.authenticationMode API)", [cluster.name]))
}

# EKS Pod Identity: the agent add-on on a cluster of this plan (by reference, or by the name
# the program gave the cluster).
pod_identity_clusters contains value if {
	some addon in data.medinfra.lib.of_type("aws:eks/addon:Addon")
	addon.props.addonName == "eks-pod-identity-agent"
	value := data.medinfra.lib.target(addon, "/clusterName", object.get(addon.props, "clusterName", null), {"aws:eks/cluster:Cluster"})
}

pod_identity_clusters contains cluster.urn if {
	some addon in data.medinfra.lib.of_type("aws:eks/addon:Addon")
	addon.props.addonName == "eks-pod-identity-agent"
	some cluster in data.medinfra.lib.of_type("aws:eks/cluster:Cluster")
	is_string(cluster.props.name)
	not data.medinfra.lib.is_unknown(cluster.props.name)
	addon.props.clusterName == cluster.props.name
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("aws:eks/cluster:Cluster")
	not cluster.urn in oidc_clusters
	not cluster.urn in pod_identity_clusters
	finding := data.medinfra.lib.finding(cluster, sprintf("EKS cluster %s has no workload identity: neither an OIDC provider (IRSA) nor the eks-pod-identity-agent add-on (EKS Pod Identity)", [cluster.name]))
}

aks_checks := {
	"Kubernetes RBAC (enableRBAC)": ["enableRBAC"],
	"local accounts disabled (disableLocalAccounts)": ["disableLocalAccounts"],
	"Entra ID integration (aadProfile.managed)": ["aadProfile", "managed"],
	"Azure RBAC for Kubernetes (aadProfile.enableAzureRBAC)": ["aadProfile", "enableAzureRBAC"],
	"an OIDC issuer (oidcIssuerProfile.enabled)": ["oidcIssuerProfile", "enabled"],
	"workload identity (securityProfile.workloadIdentity.enabled)": ["securityProfile", "workloadIdentity", "enabled"],
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("azure-native:containerservice:ManagedCluster")
	some what, path in aks_checks
	object.get(data.medinfra.lib.obj(cluster.props), path, null) != true
	finding := data.medinfra.lib.finding(cluster, sprintf("AKS cluster %s lacks %s", [cluster.name, what]))
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("gcp:container/cluster:Cluster")
	not cluster.props.workloadIdentityConfig.workloadPool
	finding := data.medinfra.lib.finding(cluster, sprintf("GKE cluster %s does not have Workload Identity", [cluster.name]))
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("gcp:container/cluster:Cluster")
	cluster.props.enableLegacyAbac == true
	finding := data.medinfra.lib.finding(cluster, sprintf("GKE cluster %s has legacy ABAC enabled", [cluster.name]))
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("gcp:container/cluster:Cluster")
	cluster.props.masterAuth.clientCertificateConfig.issueClientCertificate == true
	finding := data.medinfra.lib.finding(cluster, sprintf("GKE cluster %s issues a client certificate (a static admin credential)", [cluster.name]))
}
