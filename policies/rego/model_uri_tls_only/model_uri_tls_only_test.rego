package medinfra.rules.model_uri_tls_only_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.model_uri_tls_only as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

uri(u) := {"isvc": {"props": {"spec": {"predictor": {"model": {"storageUri": u}}}}}}

test_compliant_plan_passes if {
	found(fx.kserve) == set()
}

test_azure_blob_https_passes if {
	found(object.union(fx.kserve, uri("https://acct.blob.core.windows.net/models/x/"))) == set()
}

test_plain_http_fails if {
	found(object.union(fx.kserve, uri("http://models.example/x/"))) == {fx.kserve.isvc.urn}
}

test_uri_without_a_scheme_fails if {
	found(object.union(fx.kserve, uri("/mnt/models"))) == {fx.kserve.isvc.urn}
}
