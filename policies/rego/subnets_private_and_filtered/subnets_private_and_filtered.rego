# METADATA
# title: Subnets are planned, filtered and private
# description: >-
#   Every subnet that can carry patient data is one the plan defines, filters its traffic and
#   gives nothing an implicit way out. Azure subnets (standalone or inline in a virtual network)
#   have a network security group of this plan, so MED-NET-004 judges what it allows, and
#   default outbound access off, so a VM without a public IP cannot reach the internet through
#   an implicit Microsoft-owned address: egress leaves through the plan's NAT gateway. GCP VPC
#   networks are custom mode: an auto-mode network creates a subnet in every region, outside
#   the stack's allowed regions and without flow logs.
# custom:
#   id: MED-NET-006
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(1)", "164.312(e)(1)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["GCP 3.1"]
#   resource_types:
#     - azure-native:network:Subnet
#     - azure-native:network:VirtualNetwork
#     - gcp:compute/network:Network
#   remediation: >-
#     Azure: set networkSecurityGroup to a network security group created in the same program and
#     defaultOutboundAccess false on every subnet (GatewaySubnet, AzureFirewallSubnet,
#     AzureFirewallManagementSubnet and RouteServerSubnet take no NSG); send egress through a NAT
#     gateway. GCP: autoCreateSubnetworks false, with subnetworks declared in the allowed regions
#     (MedInfra's Network does all of this).
#   waivable: true
#   satisfied_by:
#     azure:
#       - "components/azure/network.py: subnet_ranges() / Network"
#     gcp:
#       - "components/gcp/network.py: Network"
package medinfra.rules.subnets_private_and_filtered

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"azure-native:network:Subnet": {
		"/networkSecurityGroup/id": "azure-native:network:NetworkSecurityGroup",
		"/defaultOutboundAccess": "value",
	},
	"azure-native:network:VirtualNetwork": {
		"/subnets/*/networkSecurityGroup/id": "azure-native:network:NetworkSecurityGroup",
		"/subnets/*/defaultOutboundAccess": "value",
	},
	"gcp:compute/network:Network": {
		"/autoCreateSubnetworks": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

nsg_type := "azure-native:network:NetworkSecurityGroup"

# Azure refuses a network security group on these gateway and firewall subnets.
no_nsg_subnets := {"GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet"}

# (resource, subnet properties, the subnet's path in the resource's props, its name) for every
# standalone subnet and every subnet declared inline in a virtual network.
subnets contains value if {
	some subnet in data.medinfra.lib.of_type("azure-native:network:Subnet")
	value := [subnet, subnet.props, "", object.get(data.medinfra.lib.obj(subnet.props), "subnetName", subnet.name)]
}

subnets contains value if {
	some vnet in data.medinfra.lib.of_type("azure-native:network:VirtualNetwork")
	some i, props in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(vnet.props), "subnets", [])))
	is_object(props)
	value := [vnet, props, sprintf("/subnets/%d", [i]), object.get(data.medinfra.lib.obj(props), "name", sprintf("subnets[%d]", [i]))]
}

# The subnet names a network security group, and that group is one of this plan.
filtered(r, props, path) if {
	is_string(props.networkSecurityGroup.id)
	data.medinfra.lib.target(r, concat("", [path, "/networkSecurityGroup/id"]), props.networkSecurityGroup.id, {nsg_type})
}

deny contains finding if {
	some [r, props, path, name] in subnets
	not name in no_nsg_subnets
	not filtered(r, props, path)
	finding := data.medinfra.lib.finding(r, sprintf("subnet %s has no network security group of this plan", [name]))
}

deny contains finding if {
	some [r, props, _, name] in subnets
	not props.defaultOutboundAccess == false
	finding := data.medinfra.lib.finding(r, sprintf("subnet %s gives VMs default outbound internet access (defaultOutboundAccess is not false)", [name]))
}

deny contains finding if {
	some network in data.medinfra.lib.of_type("gcp:compute/network:Network")
	not network.props.autoCreateSubnetworks == false
	finding := data.medinfra.lib.finding(network, sprintf("VPC network %s is auto mode: it creates a subnet in every region (autoCreateSubnetworks is not false)", [network.name]))
}
