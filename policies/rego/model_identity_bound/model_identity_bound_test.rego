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

# EKS Pod Identity: no annotation, an association of this plan names the account.

pod_identity_plan(association_refs) := object.union(json.remove(fx.kserve, ["service-account/props/metadata/annotations"]), {
	"association": data.medinfra.fixtures.res("aws:eks/podIdentityAssociation:PodIdentityAssociation", "association", {
		"clusterName": "medinfra", "namespace": "models", "serviceAccount": "chest-xray", "roleArn": "arn:role",
	}, association_refs),
})

test_service_account_bound_by_a_pod_identity_association_passes if {
	found(pod_identity_plan({"/roleArn": fx.aws["model-role"].urn})) == set()
}

test_pod_identity_association_with_a_role_outside_the_plan_fails if {
	found(pod_identity_plan({})) == {fx.kserve.isvc.urn}
}

test_pod_identity_association_for_another_account_fails if {
	plan := object.union(pod_identity_plan({"/roleArn": fx.aws["model-role"].urn}), {"association": {"props": {"serviceAccount": "triage"}}})
	found(plan) == {fx.kserve.isvc.urn}
}

# A platform stack's role, outside this plan, trusted by the organisation (trustedIdentities;
# the gate turns each glob into an anchored regular expression).
platform_role := "arn:aws:iam::111122223333:role/platform/models-reader"

found_trusting(plan, patterns) := u if {
	inp := data.medinfra.fixtures.inventory_settings(plan, {"trustedIdentities": patterns})
	u := {f.urn | some f in rule.deny} with input as inp
}

external_role_plan := object.union(pod_identity_plan({}), {"association": {"props": {"roleArn": platform_role}}})

test_pod_identity_role_of_a_trusted_platform_stack_passes if {
	found_trusting(external_role_plan, ["^arn:aws:iam::111122223333:role/platform/.*$"]) == set()
}

test_pod_identity_role_of_an_untrusted_account_still_fails if {
	found_trusting(external_role_plan, ["^arn:aws:iam::999999999999:role/platform/.*$"]) == {fx.kserve.isvc.urn}
}

test_pod_identity_trust_pattern_does_not_cover_a_sibling_path if {
	# arn:...:role/platform/* (one segment) must not cover role/platform-evil/...
	plan := object.union(external_role_plan, {"association": {"props": {"roleArn": "arn:aws:iam::111122223333:role/platform-evil/x"}}})
	found_trusting(plan, ["^arn:aws:iam::111122223333:role/platform/[^/]*$"]) == {fx.kserve.isvc.urn}
}
