package medinfra.rules.admin_ports_not_open_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.admin_ports_not_open as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
	found(fx.gcp) == set()
}

test_https_from_anywhere_passes if {
	ingress := [{"cidrBlocks": ["0.0.0.0/0"], "fromPort": 443, "protocol": "tcp", "toPort": 443}]
	found(object.union(fx.aws, {"sg": {"props": {"ingress": ingress}}})) == set()
}

test_security_group_ssh_from_anywhere_fails if {
	ingress := [{"cidrBlocks": ["0.0.0.0/0"], "fromPort": 22, "protocol": "tcp", "toPort": 22}]
	found(object.union(fx.aws, {"sg": {"props": {"ingress": ingress}}})) == {fx.aws.sg.urn}
}

test_security_group_all_traffic_from_anywhere_fails if {
	ingress := [{"cidrBlocks": ["0.0.0.0/0"], "fromPort": 0, "protocol": "-1", "toPort": 0}]
	found(object.union(fx.aws, {"sg": {"props": {"ingress": ingress}}})) == {fx.aws.sg.urn}
}

test_ingress_rule_with_port_range_covering_ssh_from_anywhere_fails if {
	plan := object.union(fx.aws, {"sg-rule": {"props": {"cidrIpv4": "0.0.0.0/0", "fromPort": 1, "toPort": 1024}}})
	found(plan) == {fx.aws["sg-rule"].urn}
}

test_nsg_rdp_from_internet_fails if {
	rules := [{
		"name": "rdp", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
		"sourceAddressPrefix": "Internet", "destinationPortRange": "3389", "sourcePortRange": "*",
		"destinationAddressPrefix": "*",
	}]
	found(object.union(fx.azure, {"nsg": {"props": {"securityRules": rules}}})) == {fx.azure.nsg.urn}
}

test_nsg_any_port_from_anywhere_fails if {
	rules := [{
		"name": "all", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "*",
		"sourceAddressPrefix": "*", "destinationPortRange": "*", "sourcePortRange": "*",
		"destinationAddressPrefix": "*",
	}]
	found(object.union(fx.azure, {"nsg": {"props": {"securityRules": rules}}})) == {fx.azure.nsg.urn}
}

test_firewall_ssh_from_anywhere_fails if {
	found(object.union(fx.gcp, {"firewall": {"props": {"sourceRanges": ["0.0.0.0/0"]}}})) == {fx.gcp.firewall.urn}
}

test_firewall_all_ports_from_anywhere_with_ports_omitted_fails if {
	plan := object.union(fx.gcp, {"firewall": {"props": {"sourceRanges": ["0.0.0.0/0"], "allows": [{"protocol": "all"}]}}})
	found(plan) == {fx.gcp.firewall.urn}
}

# Issue 15: an unknown source range let an SSH rule through. It is decided on provenance, and
# a CIDR is a value: where it comes from cannot vouch for it.
test_sg_ingress_cidr_unknown_fails if {
	ingress := [{"cidrBlocks": ["[unknown]"], "fromPort": 22, "protocol": "tcp", "toPort": 22}]
	plan := object.union(fx.aws, {"sg": {"props": {"ingress": ingress}, "unknowns": ["/ingress/0/cidrBlocks/0"]}})
	found(plan) == {fx.aws.sg.urn}
}

test_sg_ingress_cidr_unknown_traced_to_the_vpc_still_fails if {
	ingress := [{"cidrBlocks": ["[unknown]"], "fromPort": 443, "protocol": "tcp", "toPort": 443}]
	plan := object.union(fx.aws, {"sg": {
		"props": {"ingress": ingress}, "unknowns": ["/ingress/0/cidrBlocks/0"],
		"references": {"/ingress/0/cidrBlocks/0": fx.aws.vpc.urn},
	}})
	found(plan) == {fx.aws.sg.urn}
}

test_sg_ingress_unknown_as_a_whole_fails if {
	plan := object.union(fx.aws, {"sg": {"props": {"ingress": "[unknown]"}, "unknowns": ["/ingress"]}})
	found(plan) == {fx.aws.sg.urn}
}

test_sg_ingress_rule_unknown_port_fails if {
	plan := object.union(fx.aws, {"sg-rule": {"props": {"fromPort": "[unknown]"}, "unknowns": ["/fromPort"]}})
	found(plan) == {fx.aws["sg-rule"].urn}
}
