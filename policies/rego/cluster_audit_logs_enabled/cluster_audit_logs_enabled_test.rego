package medinfra.rules.cluster_audit_logs_enabled_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.cluster_audit_logs_enabled as rule
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

test_eks_without_audit_log_fails if {
	found(object.union(fx.aws, {"eks": {"props": {"enabledClusterLogTypes": ["api", "authenticator"]}}})) == {fx.aws.eks.urn}
}

test_eks_log_types_omitted_fails if {
	found(json.remove(fx.aws, ["eks/props/enabledClusterLogTypes"])) == {fx.aws.eks.urn}
}

test_aks_without_diagnostic_setting_fails if {
	found(object.remove(fx.azure, ["aks-diagnostics"])) == {fx.azure.aks.urn}
}

test_aks_diagnostic_setting_without_audit_category_fails if {
	plan := object.union(fx.azure, {"aks-diagnostics": {"props": {"logs": [{"category": "kube-apiserver", "enabled": true}]}}})
	found(plan) == {fx.azure.aks.urn}
}

test_aks_diagnostic_setting_without_destination_fails if {
	found(json.remove(fx.azure, ["aks-diagnostics/props/workspaceId"])) == {fx.azure.aks.urn}
}

test_gke_without_apiserver_logs_fails if {
	found(object.union(fx.gcp, {"gke": {"props": {"loggingConfig": {"enableComponents": ["SYSTEM_COMPONENTS"]}}}})) == {fx.gcp.gke.urn}
}

test_gke_logging_config_omitted_fails if {
	found(json.remove(fx.gcp, ["gke/props/loggingConfig"])) == {fx.gcp.gke.urn}
}
