package medinfra.rules.logs_encrypted_with_cmk_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.logs_encrypted_with_cmk as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.gcp) == set()
}

test_log_group_key_omitted_fails if {
	found(json.remove(fx.aws, ["logs/props/kmsKeyId", ["logs", "references", "/kmsKeyId"]])) == {fx.aws.logs.urn}
}

test_log_group_key_from_outside_the_plan_fails if {
	found(json.remove(fx.aws, [["logs", "references", "/kmsKeyId"]])) == {fx.aws.logs.urn}
}

test_log_bucket_cmek_omitted_fails if {
	found(json.remove(fx.gcp, ["log-bucket/props/cmekSettings"])) == {fx.gcp["log-bucket"].urn}
}
