package medinfra.rules.key_access_not_public_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.key_access_not_public as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

public_policy := json.marshal({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]})

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
	found(fx.gcp) == set()
}

test_aws_wildcard_principal_fails if {
	found(object.union(fx.aws, {"key": {"props": {"policy": public_policy}}})) == {fx.aws.key.urn}
}

test_aws_key_policy_omitted_fails if {
	found(json.remove(fx.aws, ["key/props/policy"])) == {fx.aws.key.urn}
}

test_aws_unknown_key_policy_fails if {
	found(object.union(fx.aws, {"key": {"props": {"policy": "[unknown]"}}})) == {fx.aws.key.urn}
}

test_azure_access_policies_fail if {
	found(object.union(fx.azure, {"vault": {"props": {"properties": {"enableRbacAuthorization": false}}}})) == {fx.azure.vault.urn}
}

test_azure_rbac_setting_omitted_fails if {
	found(json.remove(fx.azure, ["vault/props/properties/enableRbacAuthorization"])) == {fx.azure.vault.urn}
}

test_gcp_grant_to_all_users_fails if {
	found(object.union(fx.gcp, {"gkey-grant": {"props": {"member": "allUsers"}}})) == {fx.gcp["gkey-grant"].urn}
}
