package medinfra.rules.registry_not_public_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.registry_not_public as rule
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

test_ecr_policy_for_everyone_fails if {
	doc := json.marshal({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}]})
	found(object.union(fx.aws, {"ecr-policy": {"props": {"policy": doc}}})) == {fx.aws["ecr-policy"].urn}
}

test_ecr_policy_omitted_fails if {
	found(json.remove(fx.aws, ["ecr-policy/props/policy"])) == {fx.aws["ecr-policy"].urn}
}

test_acr_public_network_access_fails if {
	found(object.union(fx.azure, {"acr": {"props": {"publicNetworkAccess": "Enabled"}}})) == {fx.azure.acr.urn}
}

test_acr_public_network_access_omitted_fails if {
	found(json.remove(fx.azure, ["acr/props/publicNetworkAccess"])) == {fx.azure.acr.urn}
}

test_acr_anonymous_pull_fails if {
	found(object.union(fx.azure, {"acr": {"props": {"anonymousPullEnabled": true}}})) == {fx.azure.acr.urn}
}

test_artifact_registry_grant_to_all_users_fails if {
	found(object.union(fx.gcp, {"gar-reader": {"props": {"member": "allUsers"}}})) == {fx.gcp["gar-reader"].urn}
}
