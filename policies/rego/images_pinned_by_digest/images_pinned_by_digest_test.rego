package medinfra.rules.images_pinned_by_digest_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.images_pinned_by_digest as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

image_ref := ["isvc", "references", "/spec/predictor/model/image"]

test_compliant_plan_passes if {
	found(fx.kserve) == set()
}

test_model_image_by_tag_fails if {
	plan := object.union(fx.kserve, {"isvc": {"props": {"spec": {"predictor": {"model": {"image": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/medinfra/models:latest"}}}}}})
	found(plan) == {fx.kserve.isvc.urn}
}

test_model_image_from_outside_the_plan_fails if {
	found(json.remove(fx.kserve, [image_ref])) == {fx.kserve.isvc.urn}
}

test_model_image_omitted_fails if {
	found(json.remove(fx.kserve, ["isvc/props/spec/predictor/model/image", image_ref])) == {fx.kserve.isvc.urn}
}

test_deployment_image_by_tag_fails if {
	containers := [object.union(fx.kserve.deployment.props.spec.template.spec.containers[0], {"image": "nginx:1.27"})]
	plan := object.union(fx.kserve, {"deployment": {"props": {"spec": {"template": {"spec": {"containers": containers}}}}}})
	found(plan) == {fx.kserve.deployment.urn}
}

test_helm_release_version_range_fails if {
	found(object.union(fx.kserve, {"kserve-release": {"props": {"version": ">=0.15"}}})) == {fx.kserve["kserve-release"].urn}
}

test_helm_release_version_omitted_fails if {
	found(json.remove(fx.kserve, ["kserve-release/props/version"])) == {fx.kserve["kserve-release"].urn}
}

storage_ref := ["kserve-release", "references", "/values/kserve/storage/image"]

test_storage_initializer_by_tag_fails if {
	plan := object.union(fx.kserve, {"kserve-release": {"props": {"values": {"kserve": {"storage": {"tag": "v0.20.0"}}}}}})
	found(plan) == {fx.kserve["kserve-release"].urn}
}

test_storage_initializer_from_outside_the_plan_fails if {
	found(json.remove(fx.kserve, [storage_ref])) == {fx.kserve["kserve-release"].urn}
}

test_storage_initializer_omitted_fails if {
	found(json.remove(fx.kserve, ["kserve-release/props/values", storage_ref])) == {fx.kserve["kserve-release"].urn}
}

test_storage_initializer_needs_no_pin_without_models if {
	plan := json.remove(fx.kserve, ["isvc", "kserve-release/props/values", storage_ref])
	not fx.kserve["kserve-release"].urn in found(plan)
}

test_storage_initializer_by_tag_fails_with_a_digest_pinned_chart if {
	chart := concat("", ["oci://ghcr.io/kserve/charts/kserve-resources@sha256:", fx.sha])
	storage := {"kserve": {"storage": {"tag": "v0.20.0"}}}
	plan := object.union(fx.kserve, {"kserve-release": {"props": {"chart": chart, "values": storage}}})
	found(plan) == {fx.kserve["kserve-release"].urn}
}

# Images of a registry outside the plan that the organisation trusts (trustedRegistries).
digest_ref := concat("", ["@sha256:", data.medinfra.fixtures.sha])

found_trusting(image, prefixes) := u if {
	plan := object.union(json.remove(fx.kserve, [image_ref]), {"isvc": {"props": {"spec": {"predictor": {"model": {"image": image}}}}}})
	inp := data.medinfra.fixtures.inventory_settings(plan, {"trustedRegistries": prefixes})
	u := {f.urn | some f in rule.deny} with input as inp
}

test_model_image_of_a_trusted_registry_pinned_by_digest_passes if {
	found_trusting(concat("", ["registry.example/org/models", digest_ref]), ["registry.example/org"]) == set()
	found_trusting(concat("", ["registry.example/org", digest_ref]), ["registry.example/org"]) == set()
	found_trusting(concat("", ["registry.example/org/models:1.0", digest_ref]), ["registry.example/org"]) == set()
}

test_model_image_of_a_trusted_registry_by_tag_still_fails if {
	found_trusting("registry.example/org/models:1.0", ["registry.example/org"]) == {fx.kserve.isvc.urn}
}

test_model_image_of_an_untrusted_registry_still_fails if {
	found_trusting(concat("", ["other.example/org/models", digest_ref]), ["registry.example/org"]) == {fx.kserve.isvc.urn}
}

test_trusted_prefix_ends_at_a_path_boundary_so_a_lookalike_fails if {
	found_trusting(concat("", ["registry.example/org-evil/models", digest_ref]), ["registry.example/org"]) == {fx.kserve.isvc.urn}
	found_trusting(concat("", ["registry.example.evil.com/models", digest_ref]), ["registry.example"]) == {fx.kserve.isvc.urn}
	found_trusting(concat("", ["registry.example:5000/models", digest_ref]), ["registry.example"]) == {fx.kserve.isvc.urn}
}

found_with_settings(plan, settings) := u if {
	inp := data.medinfra.fixtures.inventory_settings(plan, settings)
	u := {f.urn | some f in rule.deny} with input as inp
}

mirrored_storage_initializer := object.union(json.remove(fx.kserve, [storage_ref]), {"kserve-release": {"props": {"values": {"kserve": {"storage": {"image": "registry.example/org/storage-initializer"}}}}}})

test_storage_initializer_of_a_trusted_registry_passes if {
	found_with_settings(mirrored_storage_initializer, {"trustedRegistries": ["registry.example/org"]}) == set()
}

test_storage_initializer_of_an_untrusted_registry_fails if {
	found(mirrored_storage_initializer) == {fx.kserve["kserve-release"].urn}
}
