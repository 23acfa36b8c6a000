package medinfra.rules.canary_only_where_honoured_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.canary_only_where_honoured as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

canary := {"isvc": {"props": {"spec": {"predictor": {"canaryTrafficPercent": 10}}}}}

mode(m) := {"isvc": {"props": {"metadata": {"annotations": {"serving.kserve.io/deploymentMode": m}}}}}

test_compliant_plan_passes if {
	found(fx.kserve) == set()
}

test_canary_in_knative_mode_passes if {
	found(object.union(object.union(fx.kserve, canary), mode("Knative"))) == set()
}

test_canary_in_standard_mode_fails if {
	found(object.union(fx.kserve, canary)) == {fx.kserve.isvc.urn}
}

test_canary_in_raw_deployment_mode_fails if {
	found(object.union(object.union(fx.kserve, canary), mode("RawDeployment"))) == {fx.kserve.isvc.urn}
}

test_canary_with_mode_annotation_omitted_fails if {
	plan := json.remove(object.union(fx.kserve, canary), [["isvc", "props", "metadata", "annotations", "serving.kserve.io/deploymentMode"]])
	found(plan) == {fx.kserve.isvc.urn}
}
