package medinfra.rules.gpu_requests_match_pool_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.gpu_requests_match_pool as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

tolerations(t) := {"isvc": {"props": {"spec": {"predictor": {"tolerations": t}}}}}

test_compliant_plan_passes if {
	found(fx.kserve) == set()
}

test_gpu_request_below_limit_fails if {
	plan := object.union(fx.kserve, {"isvc": {"props": {"spec": {"predictor": {"model": {"resources": {"requests": {"nvidia.com/gpu": "0"}}}}}}}})
	found(plan) == {fx.kserve.isvc.urn}
}

test_gpu_request_omitted_fails if {
	found(json.remove(fx.kserve, [["isvc", "props", "spec", "predictor", "model", "resources", "requests", "nvidia.com/gpu"]])) == {fx.kserve.isvc.urn}
}

test_tolerations_omitted_fails if {
	found(json.remove(fx.kserve, ["isvc/props/spec/predictor/tolerations"])) == {fx.kserve.isvc.urn}
}

test_toleration_for_another_taint_fails if {
	found(object.union(fx.kserve, tolerations([{"key": "dedicated", "operator": "Exists"}]))) == {fx.kserve.isvc.urn}
}

test_toleration_with_a_different_value_fails if {
	found(object.union(fx.kserve, tolerations([{"key": "nvidia.com/gpu", "operator": "Equal", "value": "false", "effect": "NoSchedule"}]))) == {fx.kserve.isvc.urn}
}

test_toleration_matching_an_aks_pool_passes if {
	pool := fx.azure["gpu-pool"]
	plan := object.union(object.remove(fx.kserve, ["gpu-nodes"]), {"aks-pool": pool})
	found(object.union(plan, tolerations([{"key": "nvidia.com/gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}]))) == set()
}
