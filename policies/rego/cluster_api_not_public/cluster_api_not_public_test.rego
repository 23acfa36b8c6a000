package medinfra.rules.cluster_api_not_public_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.cluster_api_not_public as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

eks(vpc) := object.union(fx.aws, {"eks": {"props": {"vpcConfig": vpc}}})

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
	found(fx.gcp) == set()
}

test_eks_public_endpoint_with_allow_list_passes if {
	found(eks({"endpointPublicAccess": true, "publicAccessCidrs": ["203.0.113.0/24"]})) == set()
}

test_eks_public_endpoint_without_allow_list_fails if {
	found(eks({"endpointPublicAccess": true})) == {fx.aws.eks.urn}
}

test_eks_public_endpoint_open_to_everyone_fails if {
	found(eks({"endpointPublicAccess": true, "publicAccessCidrs": ["10.0.0.0/8", "0.0.0.0/0"]})) == {fx.aws.eks.urn}
}

test_eks_endpoint_setting_omitted_fails if {
	found(json.remove(fx.aws, ["eks/props/vpcConfig/endpointPublicAccess"])) == {fx.aws.eks.urn}
}

test_eks_unknown_endpoint_setting_fails if {
	found(eks({"endpointPublicAccess": "[unknown]"})) == {fx.aws.eks.urn}
}

test_aks_public_api_fails if {
	found(object.union(fx.azure, {"aks": {"props": {"apiServerAccessProfile": {"enablePrivateCluster": false}}}})) == {fx.azure.aks.urn}
}

test_aks_public_api_with_authorized_ranges_passes if {
	profile := {"enablePrivateCluster": false, "authorizedIPRanges": ["203.0.113.0/24"]}
	found(object.union(fx.azure, {"aks": {"props": {"apiServerAccessProfile": profile}}})) == set()
}

test_aks_access_profile_omitted_fails if {
	found(json.remove(fx.azure, ["aks/props/apiServerAccessProfile"])) == {fx.azure.aks.urn}
}

test_gke_public_endpoint_fails if {
	found(object.union(fx.gcp, {"gke": {"props": {"privateClusterConfig": {"enablePrivateEndpoint": false}}}})) == {fx.gcp.gke.urn}
}

test_gke_public_endpoint_open_to_everyone_fails if {
	config := {"cidrBlocks": [{"cidrBlock": "0.0.0.0/0"}]}
	plan := object.union(fx.gcp, {"gke": {"props": {"privateClusterConfig": {"enablePrivateEndpoint": false}, "masterAuthorizedNetworksConfig": config}}})
	found(plan) == {fx.gcp.gke.urn}
}

test_gke_private_cluster_config_omitted_fails if {
	found(json.remove(fx.gcp, ["gke/props/privateClusterConfig"])) == {fx.gcp.gke.urn}
}
