package medinfra.rules.log_retention_minimum_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.log_retention_minimum as rule
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

test_log_group_kept_30_days_fails if {
	found(object.union(fx.aws, {"logs": {"props": {"retentionInDays": 30}}})) == {fx.aws.logs.urn}
}

test_log_group_retention_omitted_fails if {
	found(json.remove(fx.aws, ["logs/props/retentionInDays"])) == {fx.aws.logs.urn}
}

test_stack_minimum_above_the_retention_fails if {
	# The gate's settings: the organisation's logRetentionDays, raised by the stack's minimum.
	inp := data.medinfra.fixtures.inventory_settings(fx.azure, {"logRetentionDays": 1000})
	{f.urn | some f in rule.deny} == {fx.azure.workspace.urn} with input as inp
}

test_organisation_minimum_below_the_default_passes_a_shorter_retention if {
	plan := object.union(fx.aws, {"logs": {"props": {"retentionInDays": 90}}})
	found(plan) == {fx.aws.logs.urn}
	inp := data.medinfra.fixtures.inventory_settings(plan, {"logRetentionDays": 90})
	{f.urn | some f in rule.deny} == set() with input as inp
}

test_workspace_retention_omitted_fails if {
	found(json.remove(fx.azure, ["workspace/props/retentionInDays"])) == {fx.azure.workspace.urn}
}

test_log_bucket_30_days_fails if {
	found(object.union(fx.gcp, {"log-bucket": {"props": {"retentionDays": 30}}})) == {fx.gcp["log-bucket"].urn}
}
