package medinfra.rules.cluster_api_not_public_test

# Inputs are bound to a variable before `with input as` (see store_encrypted_with_cmk_test).

import data.medinfra.rules.cluster_api_not_public as rule
import rego.v1

cluster(vpc) := {"urn": "u:eks", "type": "aws:eks/cluster:Cluster", "name": "c", "props": {"vpcConfig": vpc}, "unknowns": [], "references": {}}

plan(resources) := {"config": {}, "resources": resources}

urns(findings) := {f.urn | some f in findings}

test_private_endpoint_passes if {
	inp := plan([cluster({"endpointPublicAccess": false, "endpointPrivateAccess": true})])
	count(rule.deny) == 0 with input as inp
}

test_public_endpoint_with_allow_list_passes if {
	inp := plan([cluster({"endpointPublicAccess": true, "publicAccessCidrs": ["203.0.113.0/24"]})])
	count(rule.deny) == 0 with input as inp
}

test_public_endpoint_without_allow_list_fails if {
	inp := plan([cluster({"endpointPublicAccess": true})])
	urns(rule.deny) == {"u:eks"} with input as inp
}

test_public_endpoint_open_to_everyone_fails if {
	inp := plan([cluster({"endpointPublicAccess": true, "publicAccessCidrs": ["10.0.0.0/8", "0.0.0.0/0"]})])
	urns(rule.deny) == {"u:eks"} with input as inp
}

test_endpoint_setting_omitted_fails if {
	inp := plan([cluster({"subnetIds": ["a"]})])
	urns(rule.deny) == {"u:eks"} with input as inp
}

test_unknown_endpoint_setting_fails if {
	inp := plan([cluster({"endpointPublicAccess": "[unknown]"})])
	urns(rule.deny) == {"u:eks"} with input as inp
}
