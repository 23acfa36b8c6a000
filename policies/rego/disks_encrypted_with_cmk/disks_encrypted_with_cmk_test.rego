package medinfra.rules.disks_encrypted_with_cmk_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.disks_encrypted_with_cmk as rule
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

test_launch_template_unencrypted_volume_fails if {
	plan := object.union(fx.aws, {"lt": {"props": {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]}}})
	found(plan) == {fx.aws.lt.urn}
}

test_launch_template_without_block_devices_fails if {
	found(json.remove(fx.aws, ["lt/props/blockDeviceMappings"])) == {fx.aws.lt.urn}
}

test_launch_template_key_from_outside_the_plan_fails if {
	found(json.remove(fx.aws, [["lt", "references", "/blockDeviceMappings/0/ebs/kmsKeyId"]])) == {fx.aws.lt.urn}
}

test_storage_class_encryption_omitted_fails if {
	found(json.remove(fx.aws, ["storage-class/props/parameters/encrypted"])) == {fx.aws["storage-class"].urn}
}

test_aks_disk_encryption_set_omitted_fails if {
	found(json.remove(fx.azure, [["aks", "references", "/diskEncryptionSetID"]])) == {fx.azure.aks.urn}
}

test_disk_encryption_set_key_from_outside_the_plan_fails if {
	found(json.remove(fx.azure, [["des", "references", "/activeKey/keyUrl"]])) == {fx.azure.aks.urn, fx.azure.des.urn}
}

test_gke_boot_disk_key_omitted_fails if {
	found(json.remove(fx.gcp, ["gpu-pool/props/nodeConfig/bootDiskKmsKey"])) == {fx.gcp["gpu-pool"].urn}
}
