package medinfra.rules.registry_images_immutable_and_scanned_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.registry_images_immutable_and_scanned as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.gcp) == set()
}

test_ecr_mutable_tags_fail if {
	found(object.union(fx.aws, {"ecr": {"props": {"imageTagMutability": "MUTABLE"}}})) == {fx.aws.ecr.urn}
}

test_ecr_tag_mutability_omitted_fails if {
	found(json.remove(fx.aws, ["ecr/props/imageTagMutability"])) == {fx.aws.ecr.urn}
}

test_ecr_scan_on_push_omitted_fails if {
	found(json.remove(fx.aws, ["ecr/props/imageScanningConfiguration"])) == {fx.aws.ecr.urn}
}

test_artifact_registry_mutable_tags_fail if {
	found(object.union(fx.gcp, {"gar": {"props": {"dockerConfig": {"immutableTags": false}}}})) == {fx.gcp.gar.urn}
}

test_artifact_registry_scanning_disabled_fails if {
	found(object.union(fx.gcp, {"gar": {"props": {"vulnerabilityScanningConfig": {"enablementConfig": "DISABLED"}}}})) == {fx.gcp.gar.urn}
}

test_artifact_registry_without_container_scanning_api_fails if {
	found(object.remove(fx.gcp, ["container-scanning"])) == {fx.gcp.gar.urn}
}

test_artifact_registry_with_another_api_enabled_instead_fails if {
	found(object.union(fx.gcp, {"container-scanning": {"props": {"service": "storage.googleapis.com"}}})) == {fx.gcp.gar.urn}
}

test_artifact_registry_scanning_config_omitted_still_needs_the_api if {
	plan := json.remove(fx.gcp, ["gar/props/vulnerabilityScanningConfig"])
	found(plan) == set()
	found(object.remove(plan, ["container-scanning"])) == {fx.gcp.gar.urn}
}
