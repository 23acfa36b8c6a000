# METADATA
# title: Kubernetes API endpoints are private or restricted to named ranges
# description: >-
#   A cluster's API server is reachable only from the private network, or, where an
#   operator explicitly opened it, only from a non-empty list of specific address ranges.
#   An endpoint open to the whole internet (no allow-list, or 0.0.0.0/0) is a finding, and
#   so is an endpoint setting that is missing or not yet known (EKS defaults to public).
# custom:
#   id: MED-NET-001
#   severity: critical
#   controls:
#     hipaa: ["164.312(e)(1)", "164.312(a)(1)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["EKS 5.4.2"]
#   resource_types:
#     - aws:eks/cluster:Cluster
#   remediation: >-
#     Set vpcConfig.endpointPublicAccess to false (MedInfra's default), or set it to true only
#     together with publicAccessCidrs listing the specific ranges that need access.
#   waivable: false
package medinfra.rules.cluster_api_not_public

import rego.v1

wildcards := {"0.0.0.0/0", "::/0"}

restricted_range(cidr) if {
	regex.match(`^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$`, cidr)
	not cidr in wildcards
}

private_or_restricted(cluster) if cluster.props.vpcConfig.endpointPublicAccess == false

private_or_restricted(cluster) if {
	cluster.props.vpcConfig.endpointPublicAccess == true
	cidrs := cluster.props.vpcConfig.publicAccessCidrs
	count(cidrs) > 0
	every cidr in cidrs {
		restricted_range(cidr)
	}
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("aws:eks/cluster:Cluster")
	not private_or_restricted(cluster)
	finding := {
		"urn": cluster.urn,
		"message": sprintf("EKS cluster %s exposes its API endpoint to the internet", [cluster.name]),
	}
}
