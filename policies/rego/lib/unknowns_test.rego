# The one place unknowns are decided (unknowns.rego), on the compliant fixture plans.
package medinfra.lib.unknowns_test

import data.medinfra.fixtures as fx
import rego.v1

disks(plan) := found if {
	inp := data.medinfra.fixtures.inventory(plan)
	found := {f | some f in data.medinfra.rules.disks_encrypted_with_cmk.deny} with input as inp
}

# The GCP node pool of a fresh stack: the boot disk key is not known yet, and `nodeConfig` has
# two dependencies (the key and the node service account), so Pulumi attributes no leaf of it.
pool_with(dependencies) := object.union(object.remove(fx.gcp, ["gpu-pool"]), {"gpu-pool": object.union(
	object.remove(fx.gcp["gpu-pool"], ["references"]),
	{
		"props": {"nodeConfig": {"bootDiskKmsKey": "[unknown]", "serviceAccount": "[unknown]"}},
		"unknowns": ["/nodeConfig/bootDiskKmsKey", "/nodeConfig/serviceAccount"],
		"references": {"/cluster": fx.gcp.gke.urn},
		"dependencies": dependencies,
	},
)})

test_unknown_key_with_two_dependencies_traced_to_the_rotating_key_passes if {
	disks(pool_with([fx.gcp.gkey.urn, fx.gcp["model-sa"].urn, fx.gcp.gke.urn])) == set()
}

test_unknown_key_without_provenance_fails_naming_the_property if {
	some f in disks(pool_with([]))
	f.urn == fx.gcp["gpu-pool"].urn
	f.provenance == {
		"property": "/nodeConfig/bootDiskKmsKey",
		"requires": "a customer-managed key of this plan that rotates automatically",
		"traced_to": [],
	}
	contains(f.message, "cannot be verified before deployment")
	contains(f.message, "/nodeConfig/bootDiskKmsKey")
}

test_unknown_key_traced_to_a_key_that_does_not_rotate_fails if {
	plan := object.union(pool_with([fx.gcp.gkey.urn, fx.gcp["model-sa"].urn]), {"gkey": {"props": {"rotationPeriod": "31536000s"}}})
	{f.urn | some f in disks(plan); f.provenance.property == "/nodeConfig/bootDiskKmsKey"} == {fx.gcp["gpu-pool"].urn}
}

test_unknown_key_with_two_key_dependencies_one_not_rotating_fails if {
	stale := data.medinfra.fixtures.res("gcp:kms/cryptoKey:CryptoKey", "stale", {"name": "stale", "keyRing": "r", "purpose": "ENCRYPT_DECRYPT"}, {})
	plan := object.union(pool_with([fx.gcp.gkey.urn, stale.urn]), {"stale": stale})
	some f in disks(plan)
	f.urn == fx.gcp["gpu-pool"].urn
	f.provenance.traced_to == sort([fx.gcp.gkey.urn, stale.urn])
}

test_an_attributed_reference_wins_over_dependencies if {
	plan := object.union(pool_with([fx.gcp.gkey.urn]), {"gpu-pool": {"references": {"/nodeConfig": fx.gcp["model-sa"].urn}}})
	{f.urn | some f in disks(plan)} == {fx.gcp["gpu-pool"].urn}
}

test_unknown_marks_are_found_without_the_unknowns_list if {
	resource := {"props": {"a": {"b/c": ["x", "[unknown]"]}}, "unknowns": ["/d"]}
	data.medinfra.lib.unknown_pointers(resource) == {"/a/b~1c/1", "/d"}
}

test_patterns_cover_the_property_what_is_below_and_what_is_above if {
	data.medinfra.lib.overlaps("/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId", "/rules/*/applyServerSideEncryptionByDefault/kmsMasterKeyId")
	data.medinfra.lib.overlaps("/rules", "/rules/*/applyServerSideEncryptionByDefault/kmsMasterKeyId")
	data.medinfra.lib.overlaps("", "/rules/*/applyServerSideEncryptionByDefault/kmsMasterKeyId")
	data.medinfra.lib.overlaps("/ingress/0/cidrBlocks/1", "/ingress/*/cidrBlocks")
	not data.medinfra.lib.overlaps("/bucket", "/rules/*/applyServerSideEncryptionByDefault/kmsMasterKeyId")
	not data.medinfra.lib.overlaps("/ingress/0/description", "/ingress/*/cidrBlocks")
}

# A key read from another stack whose outputs the offline preview was not given: unknown,
# traced to the stack reference (never to a key of this plan), with the flag that gives them.
unread_platform := data.medinfra.fixtures.res("pulumi:pulumi:StackReference", "org/platform/prod", {
	"name": "org/platform/prod", "outputs": "[unknown]", "secretOutputNames": "[unknown]",
}, {})

test_unknown_key_from_a_stack_reference_without_outputs_fails_naming_the_flag if {
	pool := object.union(object.remove(fx.gcp["gpu-pool"], ["references"]), {
		"props": {"nodeConfig": {"bootDiskKmsKey": "[unknown]"}},
		"unknowns": ["/nodeConfig/bootDiskKmsKey"],
		"references": {"/cluster": fx.gcp.gke.urn},
		"stack_outputs": {"/nodeConfig/bootDiskKmsKey": {"stack": "org/platform/prod", "output": null, "reference": unread_platform.urn}},
		"dependencies": [unread_platform.urn],
	})
	platform := object.union(unread_platform, {"unknowns": ["/outputs", "/secretOutputNames"]})
	plan := object.union(object.remove(fx.gcp, ["gpu-pool"]), {"gpu-pool": pool, "platform": platform})
	some f in disks(plan)
	f.urn == fx.gcp["gpu-pool"].urn
	f.provenance.traced_to == [unread_platform.urn]
	contains(f.message, "it traces to org/platform/prod, not to a customer-managed key of this plan")
	contains(f.message, "medinfra preview --stack-outputs org/platform/prod=FILE")
}
