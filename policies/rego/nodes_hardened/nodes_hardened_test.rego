package medinfra.rules.nodes_hardened_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.nodes_hardened as rule
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

test_imdsv1_allowed_fails if {
	found(object.union(fx.aws, {"lt": {"props": {"metadataOptions": {"httpTokens": "optional"}}}})) == {fx.aws.lt.urn}
}

test_hop_limit_two_fails if {
	found(object.union(fx.aws, {"lt": {"props": {"metadataOptions": {"httpPutResponseHopLimit": 2}}}})) == {fx.aws.lt.urn}
}

test_metadata_options_omitted_fails if {
	found(json.remove(fx.aws, ["lt/props/metadataOptions"])) == {fx.aws.lt.urn}
}

test_gke_shielded_nodes_disabled_fails if {
	found(object.union(fx.gcp, {"gke": {"props": {"enableShieldedNodes": false}}})) == {fx.gcp.gke.urn}
}

test_gke_node_metadata_exposed_fails if {
	found(object.union(fx.gcp, {"gpu-pool": {"props": {"nodeConfig": {"workloadMetadataConfig": {"mode": "GCE_METADATA"}}}}})) == {fx.gcp["gpu-pool"].urn}
}

test_gke_secure_boot_omitted_fails if {
	found(json.remove(fx.gcp, ["gpu-pool/props/nodeConfig/shieldedInstanceConfig/enableSecureBoot"])) == {fx.gcp["gpu-pool"].urn}
}

test_aks_without_node_os_upgrades_fails if {
	found(object.union(fx.azure, {"aks": {"props": {"autoUpgradeProfile": {"nodeOSUpgradeChannel": "None"}}}})) == {fx.azure.aks.urn}
}
