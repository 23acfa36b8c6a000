# METADATA
# title: Cluster nodes have no public IP addresses
# description: >-
#   GPU nodes process patient data and must not be directly reachable from the internet. EKS
#   launch templates and subnets do not assign public IPs; AKS node pools have node public IPs
#   off; GKE clusters use private nodes.
# custom:
#   id: MED-NET-005
#   severity: high
#   controls:
#     hipaa: ["164.312(e)(1)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["EKS 5.4.3", "AKS 5.4.3", "GKE 5.6.5"]
#   resource_types:
#     - aws:ec2/subnet:Subnet
#     - aws:ec2/launchTemplate:LaunchTemplate
#     - azure-native:containerservice:ManagedCluster
#     - azure-native:containerservice:AgentPool
#     - gcp:container/cluster:Cluster
#     - gcp:container/nodePool:NodePool
#   remediation: >-
#     AWS: mapPublicIpOnLaunch false on every subnet (NAT gateways get Elastic IPs explicitly) and
#     no associatePublicIpAddress in launch templates. Azure: enableNodePublicIP false. GCP:
#     privateClusterConfig.enablePrivateNodes true (and no networkConfig.enablePrivateNodes false
#     on a node pool).
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/network.py: Network"
#       - "components/aws/gpu_cluster.py: GpuCluster._node_group()"
#     azure:
#       - "components/azure/node_pools.py: pool_properties()"
#       - "components/azure/gpu_cluster.py: GpuCluster"
#     gcp:
#       - "components/gcp/gpu_cluster.py: GpuCluster / GpuCluster._node_pool()"
package medinfra.rules.nodes_without_public_ips

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:ec2/subnet:Subnet": {
		"/mapPublicIpOnLaunch": "value",
	},
	"aws:ec2/launchTemplate:LaunchTemplate": {
		"/networkInterfaces/*/associatePublicIpAddress": "value",
	},
	"azure-native:containerservice:ManagedCluster": {
		"/agentPoolProfiles/*/enableNodePublicIP": "value",
	},
	"azure-native:containerservice:AgentPool": {
		"/enableNodePublicIP": "value",
	},
	"gcp:container/cluster:Cluster": {
		"/privateClusterConfig/enablePrivateNodes": "value",
	},
	"gcp:container/nodePool:NodePool": {
		"/networkConfig/enablePrivateNodes": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

deny contains finding if {
	some subnet in data.medinfra.lib.of_type("aws:ec2/subnet:Subnet")
	subnet.props.mapPublicIpOnLaunch == true
	finding := data.medinfra.lib.finding(subnet, sprintf("subnet %s assigns public IPs to instances launched in it", [subnet.name]))
}

deny contains finding if {
	some lt in data.medinfra.lib.of_type("aws:ec2/launchTemplate:LaunchTemplate")
	some nic in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(lt.props), "networkInterfaces", [])))
	lower(sprintf("%v", [object.get(data.medinfra.lib.obj(nic), "associatePublicIpAddress", "false")])) != "false"
	finding := data.medinfra.lib.finding(lt, sprintf("launch template %s gives nodes a public IP", [lt.name]))
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("azure-native:containerservice:ManagedCluster")
	some profile in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(cluster.props), "agentPoolProfiles", [])))
	profile.enableNodePublicIP == true
	finding := data.medinfra.lib.finding(cluster, sprintf("AKS cluster %s node pool %v has node public IPs", [cluster.name, object.get(data.medinfra.lib.obj(profile), "name", "")]))
}

deny contains finding if {
	some pool in data.medinfra.lib.of_type("azure-native:containerservice:AgentPool")
	pool.props.enableNodePublicIP == true
	finding := data.medinfra.lib.finding(pool, sprintf("AKS node pool %s has node public IPs", [pool.name]))
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("gcp:container/cluster:Cluster")
	not cluster.props.privateClusterConfig.enablePrivateNodes == true
	finding := data.medinfra.lib.finding(cluster, sprintf("GKE cluster %s does not use private nodes", [cluster.name]))
}

deny contains finding if {
	some pool in data.medinfra.lib.of_type("gcp:container/nodePool:NodePool")
	pool.props.networkConfig.enablePrivateNodes == false
	finding := data.medinfra.lib.finding(pool, sprintf("GKE node pool %s gives nodes public IPs", [pool.name]))
}
