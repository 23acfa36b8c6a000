package medinfra.rules.store_access_logged_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.store_access_logged as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

log_bucket := data.medinfra.fixtures.res("aws:s3/bucket:Bucket", "logs", {"bucket": "access-logs"}, {})

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
	found(fx.gcp) == set()
}

test_the_access_log_target_itself_passes if {
	found(object.union(fx.aws, {"logs": log_bucket})) == set()
}

test_s3_without_access_logging_fails if {
	found(object.remove(fx.aws, ["bucket-logging"])) == {fx.aws.bucket.urn}
}

test_s3_logging_of_another_bucket_does_not_count if {
	found(object.union(fx.aws, {"bucket-logging": {"references": {"/bucket": "urn:other"}}})) == {fx.aws.bucket.urn}
}

test_azure_without_diagnostic_setting_fails if {
	found(object.remove(fx.azure, ["storage-diagnostics"])) == {fx.azure.storage.urn}
}

test_azure_diagnostic_setting_on_the_account_itself_passes if {
	plan := object.union(fx.azure, {"storage-diagnostics": {"references": {"/resourceUri": fx.azure.storage.urn}}})
	found(plan) == set()
}

test_azure_diagnostic_setting_on_another_accounts_blob_service_fails if {
	plan := object.union(fx.azure, {"blob-service": {"references": {"/accountName": "urn:pulumi:test::medinfra::azure-native:storage:StorageAccount::other"}}})
	found(plan) == {fx.azure.storage.urn}
}

test_azure_diagnostic_setting_with_logs_disabled_fails if {
	plan := object.union(fx.azure, {"storage-diagnostics": {"props": {"logs": [{"categoryGroup": "audit", "enabled": false}]}}})
	found(plan) == {fx.azure.storage.urn}
}

test_gcs_logging_omitted_fails if {
	found(json.remove(fx.gcp, ["gcs/props/logging"])) == {fx.gcp.gcs.urn}
}

test_gcs_without_logging_next_to_a_logging_s3_bucket_fails if {
	plan := object.union(fx.aws, {"gcs": json.remove(fx.gcp.gcs, ["props/logging"])})
	found(plan) == {fx.gcp.gcs.urn}
}

test_health_stores_without_event_data_store_fail if {
	found(object.remove(fx.aws, ["health-events"])) == {fx.aws.dicom.urn, fx.aws.fhir.urn}
}

selectors := fx.aws["health-events"].props.advancedEventSelectors

with_selectors(list) := object.union(fx.aws, {"health-events": {"props": {"advancedEventSelectors": list}}})

# selectors[i] with field selector j replaced by `field`.
with_field(i, j, field) := with_selectors(array.concat(array.concat(array.slice(selectors, 0, i), [object.union(selectors[i], {"fieldSelectors": array.concat(array.concat(array.slice(selectors[i].fieldSelectors, 0, j), [field]), array.slice(selectors[i].fieldSelectors, j + 1, count(selectors[i].fieldSelectors)))})]), array.slice(selectors, i + 1, count(selectors))))

test_all_management_events_record_healthlake_but_not_healthimaging if {
	found(with_selectors([{"name": "mgmt", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]}])) == {fx.aws.dicom.urn}
}

test_healthlake_as_a_data_event_type_does_not_count if {
	# AWS::HealthLake::FHIRDatastore is no CloudTrail data-event type: HealthLake's FHIR calls
	# are management events.
	found(with_selectors([selectors[0], selectors[1], {"name": "fhir", "fieldSelectors": [
		{"field": "eventCategory", "equals": ["Data"]},
		{"field": "resources.type", "equals": ["AWS::HealthLake::FHIRDatastore"]},
	]}])) == {fx.aws.fhir.urn}
}

test_event_data_store_without_fhir_selector_fails_the_fhir_store if {
	found(with_selectors([selectors[0], selectors[1]])) == {fx.aws.fhir.urn}
}

test_event_data_store_without_image_set_selector_fails_the_dicom_store if {
	found(with_selectors([selectors[0], selectors[2]])) == {fx.aws.dicom.urn}
}

test_management_events_of_another_source_do_not_count if {
	found(with_field(2, 1, {"field": "eventSource", "equals": ["medical-imaging.amazonaws.com"]})) == {fx.aws.fhir.urn}
}

test_management_selector_excluding_healthlake_does_not_count if {
	found(with_field(2, 1, {"field": "eventSource", "notEquals": ["healthlake.amazonaws.com"]})) == {fx.aws.fhir.urn}
}

test_selectors_narrowed_to_writes_do_not_count if {
	narrowed := [object.union(s, {"fieldSelectors": array.concat(s.fieldSelectors, [{"field": "readOnly", "equals": ["false"]}])}) | some s in selectors]
	found(with_selectors(narrowed)) == {fx.aws.dicom.urn, fx.aws.fhir.urn}
}

test_selector_with_a_second_operator_does_not_count if {
	found(with_field(1, 1, {"field": "resources.type", "equals": ["AWS::MedicalImaging::Imageset"], "notStartsWith": ["arn:"]})) == {fx.aws.dicom.urn}
}

test_the_finding_names_the_missing_selector if {
	inp := data.medinfra.fixtures.inventory(with_selectors([selectors[0], selectors[2]]))
	messages := {f.message | some f in rule.deny} with input as inp
	some message in messages
	contains(message, "eventCategory Data, resources.type AWS::MedicalImaging::Imageset")
}

test_unknown_event_selectors_fail if {
	plan := object.union(fx.aws, {"health-events": {"props": {"advancedEventSelectors": "[unknown]"}, "unknowns": ["/advancedEventSelectors"]}})
	found(plan) == {fx.aws.dicom.urn, fx.aws.fhir.urn, fx.aws["health-events"].urn}
}

test_azure_health_service_without_diagnostics_fails if {
	found(object.remove(fx.azure, ["fhir-diagnostics"])) == {fx.azure["fhir-service"].urn}
}

test_azure_health_diagnostics_without_audit_logs_fail if {
	plan := object.union(fx.azure, {"dicom-diagnostics": {"props": {"logs": [{"category": "DiagnosticLogs", "enabled": true}]}}})
	found(plan) == {fx.azure["dicom-service"].urn}
}

test_azure_health_diagnostics_disabled_fail if {
	plan := object.union(fx.azure, {"dicom-diagnostics": {"props": {"logs": [{"category": "AuditLogs", "enabled": false}]}}})
	found(plan) == {fx.azure["dicom-service"].urn}
}

test_healthcare_dataset_without_audit_config_fails if {
	found(object.remove(fx.gcp, ["healthcare-audit"])) == {fx.gcp.dataset.urn}
}

test_healthcare_audit_without_data_read_fails if {
	plan := object.union(fx.gcp, {"healthcare-audit": {"props": {"auditLogConfigs": [{"logType": "DATA_WRITE"}]}}})
	found(plan) == {fx.gcp.dataset.urn}
}

test_healthcare_audit_of_another_service_does_not_count if {
	plan := object.union(fx.gcp, {"healthcare-audit": {"props": {"service": "storage.googleapis.com"}}})
	found(plan) == {fx.gcp.dataset.urn}
}
