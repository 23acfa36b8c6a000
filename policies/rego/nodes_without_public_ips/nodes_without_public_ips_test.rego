package medinfra.rules.nodes_without_public_ips_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.nodes_without_public_ips as rule
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

test_public_subnet_mapping_public_ips_fails if {
	found(object.union(fx.aws, {"subnet": {"props": {"mapPublicIpOnLaunch": true}}})) == {fx.aws.subnet.urn}
}

test_launch_template_public_ip_fails if {
	found(object.union(fx.aws, {"lt": {"props": {"networkInterfaces": [{"associatePublicIpAddress": "true"}]}}})) == {fx.aws.lt.urn}
}

test_aks_agent_pool_public_ip_fails if {
	found(object.union(fx.azure, {"gpu-pool": {"props": {"enableNodePublicIP": true}}})) == {fx.azure["gpu-pool"].urn}
}

test_aks_inline_profile_public_ip_fails if {
	profiles := [{"name": "system", "mode": "System", "vmSize": "Standard_D4s_v5", "count": 3, "enableNodePublicIP": true}]
	found(object.union(fx.azure, {"aks": {"props": {"agentPoolProfiles": profiles}}})) == {fx.azure.aks.urn}
}

test_gke_private_nodes_off_fails if {
	found(object.union(fx.gcp, {"gke": {"props": {"privateClusterConfig": {"enablePrivateNodes": false}}}})) == {fx.gcp.gke.urn}
}

test_gke_private_nodes_omitted_fails if {
	found(json.remove(fx.gcp, ["gke/props/privateClusterConfig/enablePrivateNodes"])) == {fx.gcp.gke.urn}
}
