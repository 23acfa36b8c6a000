package medinfra.rules.required_tags_present_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.required_tags_present as rule
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

test_aws_missing_owner_fails if {
	found(json.remove(fx.aws, ["key/props/tags/owner"])) == {fx.aws.key.urn}
}

test_aws_tags_omitted_fails if {
	found(json.remove(fx.aws, ["key/props/tags"])) == {fx.aws.key.urn}
}

test_aws_wrong_classification_fails if {
	found(object.union(fx.aws, {"key": {"props": {"tags": {"dataClassification": "public"}}}})) == {fx.aws.key.urn}
}

test_aws_unknown_tags_fail if {
	found(object.union(fx.aws, {"key": {"props": {"tags": "[unknown]"}}})) == {fx.aws.key.urn}
}

test_azure_missing_cost_center_fails if {
	found(json.remove(fx.azure, ["storage/props/tags/costCenter"])) == {fx.azure.storage.urn}
}

test_azure_wrong_classification_fails if {
	found(object.union(fx.azure, {"aks": {"props": {"tags": {"dataClassification": "deidentified"}}}})) == {fx.azure.aks.urn}
}

test_azure_identity_tags_omitted_fails if {
	found(json.remove(fx.azure, ["identity/props/tags"])) == {fx.azure.identity.urn}
}

test_gcp_key_missing_owner_label_fails if {
	found(json.remove(fx.gcp, ["gkey/props/labels/owner"])) == {fx.gcp.gkey.urn}
}

test_gke_node_pool_vm_labels_omitted_fails if {
	found(json.remove(fx.gcp, ["gpu-pool/props/nodeConfig/resourceLabels"])) == {fx.gcp["gpu-pool"].urn}
}

test_gke_node_pool_kubernetes_labels_do_not_count_fails if {
	plan := json.remove(fx.gcp, ["gpu-pool/props/nodeConfig/resourceLabels"])
	found(object.union(plan, {"gpu-pool": {"props": {"nodeConfig": {"labels": fx.labels}}}})) == {fx.gcp["gpu-pool"].urn}
}

test_gcp_labels_omitted_fails if {
	found(json.remove(fx.gcp, ["gcs/props/labels"])) == {fx.gcp.gcs.urn}
}

test_gcp_camel_case_label_keys_fail if {
	plan := json.remove(fx.gcp, ["gar/props/labels/cost_center"])
	found(object.union(plan, {"gar": {"props": {"labels": {"costCenter": "cc-1"}}}})) == {fx.gcp.gar.urn}
}

test_gke_wrong_classification_label_fails if {
	found(object.union(fx.gcp, {"gke": {"props": {"resourceLabels": {"data_classification": "public"}}}})) == {fx.gcp.gke.urn}
}

test_untaggable_types_are_ignored if {
	found(json.remove(fx.aws, ["bucket-policy/props"])) == set()
}

test_healthlake_tag_list_without_owner_fails if {
	plan := object.union(fx.aws, {"fhir": {"props": {"tags": [{"key": k, "value": v} | some k, v in fx.tags; k != "owner"]}}})
	found(plan) == {fx.aws.fhir.urn}
}

test_health_stores_without_tags_fail if {
	plan := json.remove(fx.aws, ["dicom/props/tags", "health-events/props/tags"])
	found(plan) == {fx.aws.dicom.urn, fx.aws["health-events"].urn}
}

test_azure_health_services_without_tags_fail if {
	plan := json.remove(fx.azure, ["hds/props/tags", "fhir-service/props/tags"])
	found(plan) == {fx.azure.hds.urn, fx.azure["fhir-service"].urn}
}

test_healthcare_store_without_labels_fails if {
	found(json.remove(fx.gcp, ["dicom-store/props/labels"])) == {fx.gcp["dicom-store"].urn}
}

# An organisation's own names and values (requiredTags in the policy-pack config), as the gate
# settles them: GCP labels normalised (policies/settings.py gcp_label: costCenter -> cost_center).
org_tags := {
	"requiredTagsFrom": "policy-pack config",
	"requiredTags": {
		"tags": {"data-classification": ["phi", "deidentified"], "costCenter": []},
		"labels": {"data-classification": ["phi", "deidentified"], "cost_center": []},
	},
}

found_org(plan) := u if {
	inp := data.medinfra.fixtures.inventory_settings(plan, org_tags)
	u := {f.urn | some f in rule.deny} with input as inp
}

# `name`'s tags (at `path`) replaced by `value`.
org_tagged(plan, name, path, value) := object.union(json.remove(plan, [concat("/", [name, "props", path])]), {name: {"props": {path: value}}})

test_organisation_tags_replace_the_built_in_names if {
	plan := org_tagged(fx.aws, "key", "tags", {"data-classification": "phi", "costCenter": "cc-1"})
	denied := found_org(plan)
	not fx.aws.key.urn in denied
	fx.aws.bucket.urn in denied # still the built-in names only: no data-classification
}

test_organisation_tag_value_not_allowed_fails if {
	plan := org_tagged(fx.aws, "key", "tags", {"data-classification": "public", "costCenter": "cc-1"})
	fx.aws.key.urn in found_org(plan)
}

test_organisation_tag_with_an_empty_value_counts_as_missing if {
	plan := org_tagged(fx.aws, "key", "tags", {"data-classification": "phi", "costCenter": ""})
	fx.aws.key.urn in found_org(plan)
}

test_organisation_tags_on_gcp_are_judged_as_normalised_labels if {
	good := org_tagged(fx.gcp, "gcs", "labels", {"data-classification": "phi", "cost_center": "cc-1"})
	not fx.gcp.gcs.urn in found_org(good)
	camel := org_tagged(fx.gcp, "gcs", "labels", {"data-classification": "phi", "costCenter": "cc-1"})
	fx.gcp.gcs.urn in found_org(camel)
}

test_kubernetes_labels_are_judged_only_with_organisation_tags if {
	not fx.kserve.namespace.urn in found(fx.kserve)
	fx.kserve.namespace.urn in found_org(fx.kserve)
	labelled := object.union(fx.kserve, {"namespace": {"props": {"metadata": {"labels": {"costCenter": "cc-1", "data-classification": "phi"}}}}})
	not fx.kserve.namespace.urn in found_org(labelled)
}
