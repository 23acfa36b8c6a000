# METADATA
# title: No administrative port is open to the internet
# description: >-
#   SSH, RDP, the Kubernetes API and the kubelet are the doors attackers try first. No AWS
#   security group rule, Azure network security group rule or GCP firewall rule allows
#   inbound traffic from anywhere (0.0.0.0/0, ::/0, *, Internet) to ports 22, 3389, 6443,
#   10250 or a range containing them.
# custom:
#   id: MED-NET-004
#   severity: critical
#   controls:
#     hipaa: ["164.312(e)(1)", "164.312(a)(1)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["AWS 5.2", "AWS 5.3", "Azure 6.1", "Azure 6.2", "GCP 3.6", "GCP 3.7"]
#   resource_types:
#     - aws:ec2/securityGroup:SecurityGroup
#     - aws:ec2/defaultSecurityGroup:DefaultSecurityGroup
#     - aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule
#     - azure-native:network:NetworkSecurityGroup
#     - azure-native:network:SecurityRule
#     - gcp:compute/firewall:Firewall
#   remediation: >-
#     Allow administrative ports only from named private ranges (a bastion, a VPN, Identity-Aware
#     Proxy's 35.235.240.0/20); reach nodes through SSM, Azure Bastion or IAP instead of opening
#     ports.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/network.py: Network / Network._endpoints()"
#     azure:
#       - "components/azure/network.py: Network"
#     gcp:
#       - "components/gcp/network.py: Network"
package medinfra.rules.admin_ports_not_open

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:ec2/securityGroup:SecurityGroup": {
		"/ingress/*/cidrBlocks": "value",
		"/ingress/*/ipv6CidrBlocks": "value",
		"/ingress/*/fromPort": "value",
		"/ingress/*/toPort": "value",
		"/ingress/*/protocol": "value",
	},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
		"/ingress/*/cidrBlocks": "value",
		"/ingress/*/ipv6CidrBlocks": "value",
		"/ingress/*/fromPort": "value",
		"/ingress/*/toPort": "value",
		"/ingress/*/protocol": "value",
	},
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
		"/cidrIpv4": "value",
		"/cidrIpv6": "value",
		"/fromPort": "value",
		"/toPort": "value",
		"/ipProtocol": "value",
	},
	"azure-native:network:NetworkSecurityGroup": {
		"/securityRules/*/direction": "value",
		"/securityRules/*/access": "value",
		"/securityRules/*/sourceAddressPrefix": "value",
		"/securityRules/*/sourceAddressPrefixes": "value",
		"/securityRules/*/destinationPortRange": "value",
		"/securityRules/*/destinationPortRanges": "value",
	},
	"azure-native:network:SecurityRule": {
		"/direction": "value",
		"/access": "value",
		"/sourceAddressPrefix": "value",
		"/sourceAddressPrefixes": "value",
		"/destinationPortRange": "value",
		"/destinationPortRanges": "value",
	},
	"gcp:compute/firewall:Firewall": {
		"/direction": "value",
		"/disabled": "value",
		"/sourceRanges": "value",
		"/allows": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

admin_ports := [22, 3389, 6443, 10250]

covers(from, to) if {
	some p in admin_ports
	from <= p
	p <= to
}

any_protocol(p) if lower(sprintf("%v", [p])) in {"-1", "all", "*"}

sg_rule_open(rule) if {
	some cidr in data.medinfra.lib.items(array.concat(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(rule), "cidrBlocks", [])), data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(rule), "ipv6CidrBlocks", []))))
	cidr in data.medinfra.lib.internet
	sg_ports_admin(rule)
}

sg_ports_admin(rule) if any_protocol(rule.protocol)

sg_ports_admin(rule) if covers(rule.fromPort, rule.toPort)

deny contains finding if {
	some t in ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"]
	some group in data.medinfra.lib.of_type(t)
	some rule in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(group.props), "ingress", [])))
	sg_rule_open(rule)
	finding := data.medinfra.lib.finding(group, sprintf("security group %s allows administrative ports from the internet", [group.name]))
}

deny contains finding if {
	some rule in data.medinfra.lib.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
	some cidr in [object.get(data.medinfra.lib.obj(rule.props), "cidrIpv4", ""), object.get(data.medinfra.lib.obj(rule.props), "cidrIpv6", "")]
	cidr in data.medinfra.lib.internet
	vpc_rule_admin(rule.props)
	finding := data.medinfra.lib.finding(rule, sprintf("security group rule %s allows administrative ports from the internet", [rule.name]))
}

vpc_rule_admin(props) if any_protocol(props.ipProtocol)

vpc_rule_admin(props) if covers(props.fromPort, props.toPort)

port_range_admin(r) if r == "*"

port_range_admin(r) if {
	regex.match(`^\d+$`, r)
	covers(to_number(r), to_number(r))
}

port_range_admin(r) if {
	regex.match(`^\d+-\d+$`, r)
	parts := split(r, "-")
	covers(to_number(parts[0]), to_number(parts[1]))
}

nsg_rule_open(rule) if {
	lower(rule.direction) == "inbound"
	lower(rule.access) == "allow"
	some source in data.medinfra.lib.items(array.concat([object.get(data.medinfra.lib.obj(rule), "sourceAddressPrefix", "")], data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(rule), "sourceAddressPrefixes", []))))
	source in data.medinfra.lib.internet
	some ports in data.medinfra.lib.items(array.concat([object.get(data.medinfra.lib.obj(rule), "destinationPortRange", "")], data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(rule), "destinationPortRanges", []))))
	port_range_admin(ports)
}

deny contains finding if {
	some nsg in data.medinfra.lib.of_type("azure-native:network:NetworkSecurityGroup")
	some rule in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(nsg.props), "securityRules", [])))
	nsg_rule_open(rule)
	finding := data.medinfra.lib.finding(nsg, sprintf("network security group %s rule %v allows administrative ports from the internet", [nsg.name, object.get(data.medinfra.lib.obj(rule), "name", "")]))
}

deny contains finding if {
	some rule in data.medinfra.lib.of_type("azure-native:network:SecurityRule")
	nsg_rule_open(rule.props)
	finding := data.medinfra.lib.finding(rule, sprintf("security rule %s allows administrative ports from the internet", [rule.name]))
}

firewall_allows_admin(allow) if {
	allow.protocol in {"all", "tcp"}
	count(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(allow), "ports", []))) == 0
}

firewall_allows_admin(allow) if {
	allow.protocol in {"all", "tcp", "udp"}
	some ports in data.medinfra.lib.items(allow.ports)
	port_range_admin(ports)
}

deny contains finding if {
	some fw in data.medinfra.lib.of_type("gcp:compute/firewall:Firewall")
	upper(object.get(data.medinfra.lib.obj(fw.props), "direction", "INGRESS")) == "INGRESS"
	not fw.props.disabled == true
	some source in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(fw.props), "sourceRanges", [])))
	source in data.medinfra.lib.internet
	some allow in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(fw.props), "allows", [])))
	firewall_allows_admin(allow)
	finding := data.medinfra.lib.finding(fw, sprintf("firewall %s allows administrative ports from the internet", [fw.name]))
}
