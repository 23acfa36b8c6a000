package medinfra.rules.cluster_secrets_encrypted_with_cmk_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.cluster_secrets_encrypted_with_cmk as rule
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

test_eks_encryption_config_omitted_fails if {
	found(json.remove(fx.aws, ["eks/props/encryptionConfig"])) == {fx.aws.eks.urn}
}

test_eks_encrypting_other_resources_only_fails if {
	found(object.union(fx.aws, {"eks": {"props": {"encryptionConfig": {"resources": ["configmaps"]}}}})) == {fx.aws.eks.urn}
}

test_eks_key_from_outside_the_plan_fails if {
	found(json.remove(fx.aws, [["eks", "references", "/encryptionConfig/provider/keyArn"]])) == {fx.aws.eks.urn}
}

test_aks_kms_disabled_fails if {
	found(object.union(fx.azure, {"aks": {"props": {"securityProfile": {"azureKeyVaultKms": {"enabled": false}}}}})) == {fx.azure.aks.urn}
}

test_aks_kms_omitted_fails if {
	found(json.remove(fx.azure, ["aks/props/securityProfile/azureKeyVaultKms"])) == {fx.azure.aks.urn}
}

test_gke_decrypted_state_fails if {
	found(object.union(fx.gcp, {"gke": {"props": {"databaseEncryption": {"state": "DECRYPTED"}}}})) == {fx.gcp.gke.urn}
}

test_gke_database_encryption_omitted_fails if {
	found(json.remove(fx.gcp, ["gke/props/databaseEncryption"])) == {fx.gcp.gke.urn}
}
