# METADATA
# title: Cluster nodes are hardened
# description: >-
#   A pod that can read its node's cloud credentials can act as the node. EKS nodes require
#   IMDSv2 tokens with a hop limit of 1 (pods cannot reach the instance metadata service); GKE
#   clusters use shielded nodes, and node pools run the GKE metadata server with secure boot and
#   integrity monitoring; AKS clusters patch node images automatically.
# custom:
#   id: MED-HRD-001
#   severity: high
#   controls:
#     hipaa: ["164.308(a)(1)(ii)(B)", "164.312(a)(1)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["EKS 3.2", "AKS 3.2", "GKE 5.5.5", "GKE 5.5.6", "GKE 5.4.1"]
#   resource_types:
#     - aws:ec2/launchTemplate:LaunchTemplate
#     - gcp:container/cluster:Cluster
#     - gcp:container/nodePool:NodePool
#     - azure-native:containerservice:ManagedCluster
#   remediation: >-
#     AWS: metadataOptions {httpTokens: required, httpPutResponseHopLimit: 1}. GCP:
#     enableShieldedNodes true on the cluster; nodeConfig.workloadMetadataConfig.mode
#     GKE_METADATA and shieldedInstanceConfig {enableSecureBoot: true, enableIntegrityMonitoring:
#     true} on node pools. Azure: autoUpgradeProfile.nodeOSUpgradeChannel NodeImage or
#     SecurityPatch.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/gpu_cluster.py: GpuClusterArgs.imds_hop_limit / GpuCluster._node_group()"
#     azure:
#       - "components/azure/gpu_cluster.py: GpuCluster"
#     gcp:
#       - "components/gcp/gpu_cluster.py: GpuCluster / GpuCluster._node_config()"
package medinfra.rules.nodes_hardened

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:ec2/launchTemplate:LaunchTemplate": {
		"/metadataOptions/httpTokens": "value",
		"/metadataOptions/httpPutResponseHopLimit": "value",
	},
	"gcp:container/cluster:Cluster": {
		"/enableShieldedNodes": "value",
	},
	"gcp:container/nodePool:NodePool": {
		"/nodeConfig/workloadMetadataConfig/mode": "value",
		"/nodeConfig/shieldedInstanceConfig": "value",
	},
	"azure-native:containerservice:ManagedCluster": {
		"/autoUpgradeProfile/nodeOSUpgradeChannel": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

deny contains finding if {
	some lt in data.medinfra.lib.of_type("aws:ec2/launchTemplate:LaunchTemplate")
	not lt.props.metadataOptions.httpTokens == "required"
	finding := data.medinfra.lib.finding(lt, sprintf("launch template %s does not require IMDSv2 tokens", [lt.name]))
}

deny contains finding if {
	some lt in data.medinfra.lib.of_type("aws:ec2/launchTemplate:LaunchTemplate")
	not lt.props.metadataOptions.httpPutResponseHopLimit == 1
	finding := data.medinfra.lib.finding(lt, sprintf("launch template %s lets pods reach instance metadata (hop limit is not 1)", [lt.name]))
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("gcp:container/cluster:Cluster")
	cluster.props.enableShieldedNodes == false
	finding := data.medinfra.lib.finding(cluster, sprintf("GKE cluster %s has shielded nodes disabled", [cluster.name]))
}

deny contains finding if {
	some pool in data.medinfra.lib.of_type("gcp:container/nodePool:NodePool")
	not pool.props.nodeConfig.workloadMetadataConfig.mode == "GKE_METADATA"
	finding := data.medinfra.lib.finding(pool, sprintf("GKE node pool %s exposes node metadata to pods (workloadMetadataConfig.mode is not GKE_METADATA)", [pool.name]))
}

deny contains finding if {
	some pool in data.medinfra.lib.of_type("gcp:container/nodePool:NodePool")
	some setting in ["enableSecureBoot", "enableIntegrityMonitoring"]
	object.get(data.medinfra.lib.obj(pool.props), ["nodeConfig", "shieldedInstanceConfig", setting], null) != true
	finding := data.medinfra.lib.finding(pool, sprintf("GKE node pool %s lacks shielded instance %s", [pool.name, setting]))
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("azure-native:containerservice:ManagedCluster")
	not cluster.props.autoUpgradeProfile.nodeOSUpgradeChannel in {"NodeImage", "SecurityPatch"}
	finding := data.medinfra.lib.finding(cluster, sprintf("AKS cluster %s does not patch node images automatically", [cluster.name]))
}
