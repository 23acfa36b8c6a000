package medinfra.rules.prod_serving_highly_available_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.prod_serving_highly_available as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

test_compliant_plan_passes if {
	found(fx.kserve) == set()
}

test_dev_single_replica_passes if {
	plan := object.union(fx.kserve, {"isvc": {"props": {"spec": {"predictor": {"minReplicas": 1}}}}})
	inp := data.medinfra.fixtures.inventory_with(plan, {"environment": "dev"})
	count(rule.deny) == 0 with input as inp
}

test_prod_single_replica_fails if {
	found(object.union(fx.kserve, {"isvc": {"props": {"spec": {"predictor": {"minReplicas": 1}}}}})) == {fx.kserve.isvc.urn}
}

test_prod_min_replicas_omitted_fails if {
	found(json.remove(fx.kserve, ["isvc/props/spec/predictor/minReplicas"])) == {fx.kserve.isvc.urn}
}

test_prod_standard_mode_without_budget_fails if {
	found(object.remove(fx.kserve, ["pdb"])) == {fx.kserve.isvc.urn}
}
