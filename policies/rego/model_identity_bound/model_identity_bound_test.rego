package medinfra.rules.model_identity_bound_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.model_identity_bound as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

test_compliant_plan_passes if {
	found(fx.kserve) == set()
}

test_service_account_name_omitted_fails if {
	found(json.remove(fx.kserve, ["isvc/props/spec/predictor/serviceAccountName"])) == {fx.kserve.isvc.urn}
}

test_service_account_without_identity_annotation_fails if {
	found(json.remove(fx.kserve, ["service-account/props/metadata/annotations"])) == {fx.kserve.isvc.urn}
}

test_service_account_missing_from_the_plan_fails if {
	found(object.remove(fx.kserve, ["service-account"])) == {fx.kserve.isvc.urn}
}

test_service_account_in_another_namespace_fails if {
	found(object.union(fx.kserve, {"service-account": {"props": {"metadata": {"namespace": "default"}}}})) == {fx.kserve.isvc.urn}
}
