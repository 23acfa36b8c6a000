package medinfra.rules.registry_encrypted_with_cmk_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.registry_encrypted_with_cmk as rule
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

test_ecr_aes256_fails if {
	found(object.union(fx.aws, {"ecr": {"props": {"encryptionConfigurations": [{"encryptionType": "AES256"}]}}})) == {fx.aws.ecr.urn}
}

test_ecr_encryption_omitted_fails if {
	found(json.remove(fx.aws, ["ecr/props/encryptionConfigurations"])) == {fx.aws.ecr.urn}
}

test_ecr_key_from_outside_the_plan_fails if {
	found(json.remove(fx.aws, [["ecr", "references", "/encryptionConfigurations/0/kmsKey"]])) == {fx.aws.ecr.urn}
}

test_acr_encryption_disabled_fails if {
	found(object.union(fx.azure, {"acr": {"props": {"encryption": {"status": "disabled"}}}})) == {fx.azure.acr.urn}
}

test_acr_encryption_omitted_fails if {
	found(json.remove(fx.azure, ["acr/props/encryption"])) == {fx.azure.acr.urn}
}

test_artifact_registry_kms_key_omitted_fails if {
	found(json.remove(fx.gcp, ["gar/props/kmsKeyName"])) == {fx.gcp.gar.urn}
}

test_artifact_registry_key_from_outside_the_plan_fails if {
	found(json.remove(fx.gcp, [["gar", "references", "/kmsKeyName"]])) == {fx.gcp.gar.urn}
}
