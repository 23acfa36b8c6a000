package medinfra.rules.store_tls_only_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.store_tls_only as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
}

test_bucket_without_policy_fails if {
	found(object.remove(fx.aws, ["bucket-policy"])) == {fx.aws.bucket.urn}
}

test_bucket_policy_without_the_tls_condition_fails if {
	doc := json.marshal({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})
	found(object.union(fx.aws, {"bucket-policy": {"props": {"policy": doc}}})) == {fx.aws.bucket.urn}
}

test_unknown_bucket_policy_fails if {
	# The bucket lacks a TLS-only policy; the policy itself cannot be verified before deployment.
	found(object.union(fx.aws, {"bucket-policy": {"props": {"policy": "[unknown]"}}})) == {fx.aws.bucket.urn, fx.aws["bucket-policy"].urn}
}

test_azure_http_allowed_fails if {
	found(object.union(fx.azure, {"storage": {"props": {"enableHttpsTrafficOnly": false}}})) == {fx.azure.storage.urn}
}

test_azure_tls_1_0_fails if {
	found(object.union(fx.azure, {"storage": {"props": {"minimumTlsVersion": "TLS1_0"}}})) == {fx.azure.storage.urn}
}

test_azure_minimum_tls_omitted_fails if {
	found(json.remove(fx.azure, ["storage/props/minimumTlsVersion"])) == {fx.azure.storage.urn}
}
