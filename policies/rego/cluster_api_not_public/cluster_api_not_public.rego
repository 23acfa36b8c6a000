# METADATA
# title: Kubernetes API endpoints are private or restricted to named ranges
# description: >-
#   A cluster's API server is reachable only from the private network, or, where an operator
#   explicitly opened it, only from a non-empty list of specific address ranges. An endpoint
#   open to the whole internet (no allow-list, or 0.0.0.0/0) is a finding, and so is an
#   endpoint setting that is missing or not yet known (EKS, AKS and GKE default to public).
# custom:
#   id: MED-NET-001
#   severity: critical
#   controls:
#     hipaa: ["164.312(e)(1)", "164.312(a)(1)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["EKS 5.4.2", "AKS 5.4.2", "GKE 5.6.4"]
#   resource_types:
#     - aws:eks/cluster:Cluster
#     - azure-native:containerservice:ManagedCluster
#     - gcp:container/cluster:Cluster
#   remediation: >-
#     EKS: vpcConfig.endpointPublicAccess false (MedInfra's default), or true only together with
#     publicAccessCidrs listing specific ranges. AKS: apiServerAccessProfile.enablePrivateCluster
#     true, or authorizedIPRanges listing specific ranges. GKE: privateClusterConfig.
#     enablePrivateEndpoint true, or masterAuthorizedNetworksConfig.cidrBlocks listing specific
#     ranges.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/gpu_cluster.py: GpuClusterArgs.endpoint_public_access / GpuClusterArgs.public_access_cidrs / GpuCluster"
#     azure:
#       - "components/azure/gpu_cluster.py: GpuClusterArgs.endpoint_public_access / GpuClusterArgs.authorized_ip_ranges / api_server_access()"
#     gcp:
#       - "components/gcp/gpu_cluster.py: GpuClusterArgs.endpoint_public_access / GpuClusterArgs.public_access_cidrs / GpuCluster"
package medinfra.rules.cluster_api_not_public

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:eks/cluster:Cluster": {
		"/vpcConfig/endpointPublicAccess": "value",
		"/vpcConfig/publicAccessCidrs": "value",
	},
	"azure-native:containerservice:ManagedCluster": {
		"/apiServerAccessProfile": "value",
	},
	"gcp:container/cluster:Cluster": {
		"/privateClusterConfig/enablePrivateEndpoint": "value",
		"/masterAuthorizedNetworksConfig": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

wildcards := {"0.0.0.0/0", "::/0"}

restricted_range(cidr) if {
	regex.match(`^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$`, cidr)
	not cidr in wildcards
}

restricted(cidrs) if {
	count(cidrs) > 0
	every cidr in cidrs {
		restricted_range(cidr)
	}
}

private_or_restricted(cluster) if cluster.props.vpcConfig.endpointPublicAccess == false

private_or_restricted(cluster) if {
	cluster.props.vpcConfig.endpointPublicAccess == true
	restricted(cluster.props.vpcConfig.publicAccessCidrs)
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("aws:eks/cluster:Cluster")
	not private_or_restricted(cluster)
	finding := data.medinfra.lib.finding(cluster, sprintf("EKS cluster %s exposes its API endpoint to the internet", [cluster.name]))
}

aks_private_or_restricted(cluster) if cluster.props.apiServerAccessProfile.enablePrivateCluster == true

aks_private_or_restricted(cluster) if restricted(cluster.props.apiServerAccessProfile.authorizedIPRanges)

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("azure-native:containerservice:ManagedCluster")
	not aks_private_or_restricted(cluster)
	finding := data.medinfra.lib.finding(cluster, sprintf("AKS cluster %s exposes its API server to the internet", [cluster.name]))
}

gke_private_or_restricted(cluster) if cluster.props.privateClusterConfig.enablePrivateEndpoint == true

gke_private_or_restricted(cluster) if {
	cidrs := [b.cidrBlock | some b in data.medinfra.lib.items(cluster.props.masterAuthorizedNetworksConfig.cidrBlocks)]
	restricted(cidrs)
	not cluster.props.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled == true
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("gcp:container/cluster:Cluster")
	not gke_private_or_restricted(cluster)
	finding := data.medinfra.lib.finding(cluster, sprintf("GKE cluster %s exposes its control plane to the internet", [cluster.name]))
}
