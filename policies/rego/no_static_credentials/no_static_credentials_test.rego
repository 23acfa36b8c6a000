package medinfra.rules.no_static_credentials_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.no_static_credentials as rule
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

test_aws_access_key_fails if {
	key := data.medinfra.fixtures.res("aws:iam/accessKey:AccessKey", "ci", {"user": "ci"}, {})
	found(object.union(fx.aws, {"ci": key})) == {key.urn}
}

test_gcp_service_account_key_fails if {
	key := data.medinfra.fixtures.res("gcp:serviceaccount/key:Key", "ci", {"serviceAccountId": "ci"}, {})
	found(object.union(fx.gcp, {"ci": key})) == {key.urn}
}

test_azure_shared_key_access_fails if {
	found(object.union(fx.azure, {"storage": {"props": {"allowSharedKeyAccess": true}}})) == {fx.azure.storage.urn}
}

test_azure_shared_key_setting_omitted_fails if {
	found(json.remove(fx.azure, ["storage/props/allowSharedKeyAccess"])) == {fx.azure.storage.urn}
}

test_acr_admin_user_fails if {
	found(object.union(fx.azure, {"acr": {"props": {"adminUserEnabled": true}}})) == {fx.azure.acr.urn}
}
