package medinfra.rules.subnets_private_and_filtered_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.subnets_private_and_filtered as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

# The fixture's node subnet, declared inline in its virtual network instead.
inline := object.union(object.remove(fx.azure, ["subnet"]), {"vnet": {
	"props": {"subnets": [{
		"name": "nodes", "addressPrefix": "10.0.0.0/17", "defaultOutboundAccess": false,
		"networkSecurityGroup": {"id": "/subscriptions/s/nsg"},
	}]},
	"references": {"/subnets/0/networkSecurityGroup/id": fx.azure.nsg.urn},
}})

test_compliant_plans_pass if {
	found(fx.azure) == set()
	found(fx.gcp) == set()
	found(inline) == set()
}

test_azure_subnet_without_nsg_fails if {
	found(json.remove(fx.azure, ["subnet/props/networkSecurityGroup"])) == {fx.azure.subnet.urn}
}

test_azure_subnet_nsg_from_outside_the_plan_fails if {
	found(json.remove(fx.azure, [["subnet", "references", "/networkSecurityGroup/id"]])) == {fx.azure.subnet.urn}
}

test_azure_subnet_default_outbound_access_fails if {
	found(object.union(fx.azure, {"subnet": {"props": {"defaultOutboundAccess": true}}})) == {fx.azure.subnet.urn}
}

test_azure_subnet_default_outbound_access_omitted_fails if {
	found(json.remove(fx.azure, ["subnet/props/defaultOutboundAccess"])) == {fx.azure.subnet.urn}
}

test_azure_gateway_subnet_without_nsg_passes if {
	plan := json.remove(fx.azure, ["subnet/props/networkSecurityGroup"])
	found(object.union(plan, {"subnet": {"props": {"subnetName": "GatewaySubnet"}}})) == set()
}

test_azure_inline_subnet_without_nsg_fails if {
	found(json.remove(inline, ["vnet/props/subnets/0/networkSecurityGroup"])) == {fx.azure.vnet.urn}
}

test_azure_inline_subnet_default_outbound_access_omitted_fails if {
	found(json.remove(inline, ["vnet/props/subnets/0/defaultOutboundAccess"])) == {fx.azure.vnet.urn}
}

test_gcp_auto_mode_network_fails if {
	found(object.union(fx.gcp, {"network": {"props": {"autoCreateSubnetworks": true}}})) == {fx.gcp.network.urn}
}

test_gcp_auto_create_subnetworks_omitted_fails if {
	found(json.remove(fx.gcp, ["network/props/autoCreateSubnetworks"])) == {fx.gcp.network.urn}
}
