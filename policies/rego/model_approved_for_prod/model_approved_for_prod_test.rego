package medinfra.rules.model_approved_for_prod_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.model_approved_for_prod as rule
import rego.v1

found_with(config) := u if {
	inp := data.medinfra.fixtures.inventory_with(fx.kserve, config)
	u := {f.urn | some f in rule.deny} with input as inp
}

model := data.medinfra.fixtures.config.models[0]

test_compliant_plan_passes if {
	found_with({}) == set()
}

test_dev_stack_without_approval_passes if {
	found_with({"environment": "dev", "models": [object.remove(model, ["approval"])]}) == set()
}

test_approval_omitted_fails if {
	found_with({"models": [object.remove(model, ["approval"])]}) == {fx.kserve.isvc.urn}
}

test_approval_without_approver_fails if {
	found_with({"models": [object.union(model, {"approval": {"approvedBy": " "}})]}) == {fx.kserve.isvc.urn}
}

test_approval_of_another_version_fails if {
	found_with({"models": [object.union(model, {"version": "0.9"})]}) == {fx.kserve.isvc.urn}
}

test_approval_of_another_sha_fails if {
	found_with({"models": [object.union(model, {"sha256": concat("", ["0", substring(model.sha256, 1, 63)])})]}) == {fx.kserve.isvc.urn}
}

test_model_missing_from_config_fails if {
	found_with({"models": []}) == {fx.kserve.isvc.urn}
}

test_a_duplicate_unapproved_entry_does_not_break_the_rule_and_approval_passes if {
	found_with({"models": [model, object.remove(model, ["approval"])]}) == set()
}

test_duplicate_entries_without_approval_fail if {
	bare := object.remove(model, ["approval"])
	found_with({"models": [bare, object.union(bare, {"version": "2.0"})]}) == {fx.kserve.isvc.urn}
}
