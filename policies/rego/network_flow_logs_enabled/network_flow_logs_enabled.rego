# METADATA
# title: Network flow logs are on
# description: >-
#   Flow logs show which systems talked to which, which is how an investigation tells whether
#   data left the network. Every AWS VPC has a flow log capturing all traffic, every Azure
#   virtual network has an enabled flow log, and every GCP subnetwork has flow logging. Every
#   Cloud NAT gateway logs its address translations: nodes leave the network behind shared
#   addresses, and only that log says which node opened which outbound connection.
# custom:
#   id: MED-LOG-003
#   severity: medium
#   controls:
#     hipaa: ["164.312(b)"]
#     gdpr: ["Art.32(1)(d)", "Art.33(3)"]
#     cis: ["AWS 3.7", "Azure 6.4", "GCP 3.8"]
#   resource_types:
#     - aws:ec2/vpc:Vpc
#     - aws:ec2/flowLog:FlowLog
#     - azure-native:network:VirtualNetwork
#     - azure-native:network:FlowLog
#     - gcp:compute/subnetwork:Subnetwork
#     - gcp:compute/routerNat:RouterNat
#   remediation: >-
#     AWS: an aws.ec2.FlowLog on the VPC with trafficType ALL (MedInfra's Network does this).
#     Azure: an azure-native.network.FlowLog with enabled true and targetResourceId the virtual
#     network. GCP: set logConfig on the subnetwork, and logConfig {enable: true, filter: ALL}
#     (or TRANSLATIONS_ONLY) on the Cloud NAT (MedInfra's Network does both).
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/network.py: Network._flow_logs()"
#     azure:
#       - "components/azure/flow_logs.py: VnetFlowLog / network_watcher_name()"
#     gcp:
#       - "components/gcp/network.py: NetworkArgs.flow_sampling / Network"
package medinfra.rules.network_flow_logs_enabled

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:ec2/flowLog:FlowLog": {
		"/trafficType": "value",
		"/vpcId": "aws:ec2/vpc:Vpc",
	},
	"azure-native:network:FlowLog": {
		"/enabled": "value",
		"/targetResourceId": "azure-native:network:VirtualNetwork",
	},
	"gcp:compute/subnetwork:Subnetwork": {
		"/logConfig": "value",
		"/purpose": "value",
	},
	"gcp:compute/routerNat:RouterNat": {
		"/logConfig": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

logged_vpcs contains value if {
	some log in data.medinfra.lib.of_type("aws:ec2/flowLog:FlowLog")
	log.props.trafficType == "ALL"
	value := data.medinfra.lib.target(log, "/vpcId", object.get(log.props, "vpcId", null), {"aws:ec2/vpc:Vpc"})
}

deny contains finding if {
	some vpc in data.medinfra.lib.of_type("aws:ec2/vpc:Vpc")
	not vpc.urn in logged_vpcs
	finding := data.medinfra.lib.finding(vpc, sprintf("VPC %s has no flow log capturing all traffic", [vpc.name]))
}

logged_vnets contains value if {
	some log in data.medinfra.lib.of_type("azure-native:network:FlowLog")
	log.props.enabled == true
	value := data.medinfra.lib.target(log, "/targetResourceId", object.get(log.props, "targetResourceId", null), {"azure-native:network:VirtualNetwork"})
}

deny contains finding if {
	some vnet in data.medinfra.lib.of_type("azure-native:network:VirtualNetwork")
	not vnet.urn in logged_vnets
	finding := data.medinfra.lib.finding(vnet, sprintf("virtual network %s has no enabled flow log", [vnet.name]))
}

deny contains finding if {
	some subnet in data.medinfra.lib.of_type("gcp:compute/subnetwork:Subnetwork")
	not is_object(subnet.props.logConfig)
	object.get(data.medinfra.lib.obj(subnet.props), "purpose", "PRIVATE") == "PRIVATE"
	finding := data.medinfra.lib.finding(subnet, sprintf("subnetwork %s has no flow logs (logConfig)", [subnet.name]))
}

# Errors alone (ERRORS_ONLY) do not show who talked to whom.
nat_logged(nat) if {
	nat.props.logConfig.enable == true
	nat.props.logConfig.filter in {"ALL", "TRANSLATIONS_ONLY"}
}

deny contains finding if {
	some nat in data.medinfra.lib.of_type("gcp:compute/routerNat:RouterNat")
	not nat_logged(nat)
	finding := data.medinfra.lib.finding(nat, sprintf("Cloud NAT %s does not log its address translations (logConfig.enable true, filter ALL or TRANSLATIONS_ONLY)", [nat.name]))
}
