package medinfra.rules.key_rotation_enabled_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.key_rotation_enabled as rule
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

test_aws_rotation_off_fails if {
	found(object.union(fx.aws, {"key": {"props": {"enableKeyRotation": false}}})) == {fx.aws.key.urn}
}

test_aws_yearly_rotation_fails if {
	found(object.union(fx.aws, {"key": {"props": {"rotationPeriodInDays": 365}}})) == {fx.aws.key.urn}
}

test_aws_rotation_period_omitted_fails if {
	found(json.remove(fx.aws, ["key/props/rotationPeriodInDays"])) == {fx.aws.key.urn}
}

test_azure_rotation_after_a_year_fails if {
	plan := object.union(fx.azure, {"akv-key": {"props": {"properties": {"rotationPolicy": {"lifetimeActions": [{"action": {"type": "rotate"}, "trigger": {"timeAfterCreate": "P365D"}}]}}}}})
	found(plan) == {fx.azure["akv-key"].urn}
}

test_azure_notify_only_policy_fails if {
	plan := object.union(fx.azure, {"akv-key": {"props": {"properties": {"rotationPolicy": {"lifetimeActions": [{"action": {"type": "notify"}, "trigger": {"timeBeforeExpiry": "P30D"}}]}}}}})
	found(plan) == {fx.azure["akv-key"].urn}
}

test_azure_rotation_policy_omitted_fails if {
	found(json.remove(fx.azure, ["akv-key/props/properties/rotationPolicy"])) == {fx.azure["akv-key"].urn}
}

test_gcp_yearly_rotation_fails if {
	found(object.union(fx.gcp, {"gkey": {"props": {"rotationPeriod": "31536000s"}}})) == {fx.gcp.gkey.urn}
}

test_gcp_rotation_period_omitted_fails if {
	found(json.remove(fx.gcp, ["gkey/props/rotationPeriod"])) == {fx.gcp.gkey.urn}
}
