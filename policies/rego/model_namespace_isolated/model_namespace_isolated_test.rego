package medinfra.rules.model_namespace_isolated_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.model_namespace_isolated as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

test_compliant_plan_passes if {
	found(fx.kserve) == set()
}

test_namespace_with_baseline_policy_fails if {
	plan := object.union(fx.kserve, {"namespace": {"props": {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}}})
	found(plan) == {fx.kserve.namespace.urn}
}

test_namespace_labels_omitted_fails if {
	found(json.remove(fx.kserve, ["namespace/props/metadata/labels"])) == {fx.kserve.namespace.urn}
}

test_namespace_missing_from_the_plan_fails if {
	found(object.remove(fx.kserve, ["namespace"])) == {fx.kserve.isvc.urn}
}

test_without_default_deny_policy_fails if {
	found(object.remove(fx.kserve, ["default-deny"])) == {fx.kserve.isvc.urn}
}

test_ingress_only_deny_fails if {
	found(object.union(fx.kserve, {"default-deny": {"props": {"spec": {"policyTypes": ["Ingress"]}}}})) == {fx.kserve.isvc.urn}
}

test_two_namespaces_of_the_same_name_are_each_judged_and_one_fails if {
	other := object.union(fx.kserve.namespace, {"urn": "urn:other-ns", "props": {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "privileged"}}}})
	found(object.union(fx.kserve, {"other-ns": other})) == {"urn:other-ns"}
}
