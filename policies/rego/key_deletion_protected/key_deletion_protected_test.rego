package medinfra.rules.key_deletion_protected_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.key_deletion_protected as rule
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

test_aws_short_deletion_window_fails if {
	found(object.union(fx.aws, {"key": {"props": {"deletionWindowInDays": 7}}})) == {fx.aws.key.urn}
}

test_aws_deletion_window_omitted_fails if {
	found(json.remove(fx.aws, ["key/props/deletionWindowInDays"])) == {fx.aws.key.urn}
}

test_azure_purge_protection_off_fails if {
	found(object.union(fx.azure, {"vault": {"props": {"properties": {"enablePurgeProtection": false}}}})) == {fx.azure.vault.urn}
}

test_azure_purge_protection_omitted_fails if {
	found(json.remove(fx.azure, ["vault/props/properties/enablePurgeProtection"])) == {fx.azure.vault.urn}
}

test_azure_soft_delete_off_fails if {
	found(object.union(fx.azure, {"vault": {"props": {"properties": {"enableSoftDelete": false}}}})) == {fx.azure.vault.urn}
}

test_gcp_one_day_destroy_delay_fails if {
	found(object.union(fx.gcp, {"gkey": {"props": {"destroyScheduledDuration": "86400s"}}})) == {fx.gcp.gkey.urn}
}

test_gcp_destroy_delay_omitted_fails if {
	found(json.remove(fx.gcp, ["gkey/props/destroyScheduledDuration"])) == {fx.gcp.gkey.urn}
}
