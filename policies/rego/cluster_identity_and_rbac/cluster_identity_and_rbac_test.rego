package medinfra.rules.cluster_identity_and_rbac_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.cluster_identity_and_rbac as rule
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

test_eks_config_map_authentication_fails if {
	found(object.union(fx.aws, {"eks": {"props": {"accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}}}})) == {fx.aws.eks.urn}
}

test_eks_access_config_omitted_fails if {
	found(json.remove(fx.aws, ["eks/props/accessConfig"])) == {fx.aws.eks.urn}
}

test_eks_without_oidc_provider_fails if {
	found(object.remove(fx.aws, ["oidc"])) == {fx.aws.eks.urn}
}

addon(name, cluster, references) := data.medinfra.fixtures.res("aws:eks/addon:Addon", "pod-identity", {
	"addonName": name, "clusterName": cluster,
}, references)

test_eks_with_pod_identity_agent_and_no_oidc_provider_passes if {
	plan := object.union(object.remove(fx.aws, ["oidc"]), {"pia": addon("eks-pod-identity-agent", "medinfra", {"/clusterName": fx.aws.eks.urn})})
	found(plan) == set()
}

test_eks_with_pod_identity_agent_named_like_the_cluster_passes if {
	plan := object.union(object.remove(fx.aws, ["oidc"]), {"pia": addon("eks-pod-identity-agent", "medinfra", {})})
	found(plan) == set()
}

test_eks_with_pod_identity_agent_of_another_cluster_fails if {
	plan := object.union(object.remove(fx.aws, ["oidc"]), {"pia": addon("eks-pod-identity-agent", "other", {})})
	found(plan) == {fx.aws.eks.urn}
}

test_eks_with_another_addon_and_no_oidc_provider_fails if {
	plan := object.union(object.remove(fx.aws, ["oidc"]), {"pia": addon("coredns", "medinfra", {"/clusterName": fx.aws.eks.urn})})
	found(plan) == {fx.aws.eks.urn}
}

test_aks_local_accounts_enabled_fails if {
	found(object.union(fx.azure, {"aks": {"props": {"disableLocalAccounts": false}}})) == {fx.azure.aks.urn}
}

test_aks_workload_identity_omitted_fails if {
	found(json.remove(fx.azure, ["aks/props/securityProfile/workloadIdentity"])) == {fx.azure.aks.urn}
}

test_aks_rbac_omitted_fails if {
	found(json.remove(fx.azure, ["aks/props/enableRBAC"])) == {fx.azure.aks.urn}
}

test_gke_without_workload_identity_fails if {
	found(json.remove(fx.gcp, ["gke/props/workloadIdentityConfig"])) == {fx.gcp.gke.urn}
}

test_gke_legacy_abac_fails if {
	found(object.union(fx.gcp, {"gke": {"props": {"enableLegacyAbac": true}}})) == {fx.gcp.gke.urn}
}

test_gke_client_certificate_fails if {
	found(object.union(fx.gcp, {"gke": {"props": {"masterAuth": {"clientCertificateConfig": {"issueClientCertificate": true}}}}})) == {fx.gcp.gke.urn}
}
