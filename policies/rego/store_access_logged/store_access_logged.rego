# METADATA
# title: Access to object stores is logged
# description: >-
#   HIPAA requires a record of who accessed patient data. Every S3 bucket writes server access
#   logs, every Azure storage account has a diagnostic setting sending its logs to a
#   destination, and every Cloud Storage bucket writes usage logs. Buckets that are themselves
#   the destination of access logs are exempt (logging them would log forever). Every managed
#   DICOM and FHIR store records who read or wrote which record: a CloudTrail event data store
#   of this plan selects every data event of HealthImaging data stores and image sets, and
#   every HealthLake management event (HealthLake logs its FHIR reads, searches and writes as
#   management events; CloudTrail has no HealthLake data-event type), with no readOnly,
#   eventName or ARN condition narrowing them; Azure DICOM and FHIR services send their
#   AuditLogs to a destination; Cloud
#   Healthcare datasets have Cloud Audit Logs DATA_READ and DATA_WRITE on for
#   healthcare.googleapis.com.
# custom:
#   id: MED-LOG-002
#   severity: high
#   controls:
#     hipaa: ["164.312(b)", "164.308(a)(1)(ii)(D)"]
#     gdpr: ["Art.30", "Art.32(1)(d)"]
#     cis: ["AWS 3.6", "Azure 3.13", "GCP 2.1"]
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketLogging:BucketLogging
#     - azure-native:storage:StorageAccount
#     - azure-native:monitor:DiagnosticSetting
#     - gcp:storage/bucket:Bucket
#     - aws-native:healthimaging:Datastore
#     - aws-native:healthlake:FhirDatastore
#     - aws:cloudtrail/eventDataStore:EventDataStore
#     - azure-native:healthcareapis:DicomService
#     - azure-native:healthcareapis:FhirService
#     - gcp:healthcare/dataset:Dataset
#     - gcp:projects/iAMAuditConfig:IAMAuditConfig
#   remediation: >-
#     AWS: an aws.s3.BucketLogging for the bucket with a targetBucket (MedInfra's DataStore does
#     this). Azure: an azure-native.monitor.DiagnosticSetting whose resourceUri is the account
#     (or its blob service) with logs enabled and a workspace or storage destination. GCP: set
#     logging.logBucket. DICOM/FHIR stores: an aws.cloudtrail.EventDataStore with advanced
#     event selectors eventCategory Data with resources.type AWS::MedicalImaging::Datastore, the
#     same with AWS::MedicalImaging::Imageset (HealthImaging), and eventCategory Management
#     with eventSource healthlake.amazonaws.com (HealthLake), each with equals conditions only
#     (MedInfra's HealthAudit does this); a DiagnosticSetting on each Azure DICOM or FHIR service
#     with the AuditLogs category; a gcp.projects.IAMAuditConfig for healthcare.googleapis.com
#     with DATA_READ and DATA_WRITE.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/data_store.py: DataStoreArgs.access_log_bucket / DataStore"
#       - "components/aws/health_audit.py: HealthAudit"
#     azure:
#       - "components/azure/data_store.py: DataStoreArgs.workspace_id / DataStore"
#       - "components/azure/common.py: diagnostics()"
#       - "components/azure/health_store.py: HealthWorkspaceArgs.workspace_id / HealthWorkspace"
#     gcp:
#       - "components/gcp/data_store.py: DataStoreArgs.access_log_bucket / DataStore"
#       - "components/gcp/health_store.py: HealthDataset"
package medinfra.rules.store_access_logged

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:s3/bucketLogging:BucketLogging": {
		"/bucket": "aws:s3/bucket:Bucket",
		"/targetBucket": "aws:s3/bucket:Bucket",
	},
	"azure-native:monitor:DiagnosticSetting": {
		"/logs": "value",
		"/resourceUri": "azure_scope",
		"/workspaceId": "azure-native:operationalinsights:Workspace",
	},
	"gcp:storage/bucket:Bucket": {
		"/logging/logBucket": "value",
	},
	"aws:cloudtrail/eventDataStore:EventDataStore": {
		"/advancedEventSelectors": "value",
	},
	"gcp:projects/iAMAuditConfig:IAMAuditConfig": {
		"/service": "value",
		"/auditLogConfigs": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

logging_type := "aws:s3/bucketLogging:BucketLogging"

logged_buckets contains value if {
	some logging in data.medinfra.lib.of_type(logging_type)
	logging.props.targetBucket
	value := data.medinfra.lib.target(logging, "/bucket", object.get(logging.props, "bucket", null), {"aws:s3/bucket:Bucket"})
}

# Log destinations, by name and by reference.
log_targets contains value if {
	some logging in data.medinfra.lib.of_type(logging_type)
	value := logging.props.targetBucket
}

log_targets contains value if {
	some logging in data.medinfra.lib.of_type(logging_type)
	value := logging.references["/targetBucket"]
}

log_targets contains value if {
	some bucket in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	value := bucket.props.logging.logBucket
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("aws:s3/bucket:Bucket")
	not bucket.urn in logged_buckets
	not bucket.urn in log_targets
	not object.get(data.medinfra.lib.obj(bucket.props), "bucket", null) in log_targets
	finding := data.medinfra.lib.finding(bucket, sprintf("bucket %s does not write server access logs", [bucket.name]))
}

# URNs of resources with a diagnostic setting that sends enabled logs somewhere.
logged_targets contains value if {
	some setting in data.medinfra.lib.of_type("azure-native:monitor:DiagnosticSetting")
	some log in data.medinfra.lib.items(setting.props.logs)
	log.enabled == true
	some key in ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId"]
	setting.props[key]
	value := data.medinfra.lib.target(setting, "/resourceUri", object.get(setting.props, "resourceUri", null), {"azure-native:storage:StorageAccount", "azure-native:storage:BlobServiceProperties"})
}

logged_accounts contains value if {
	some value in logged_targets
}

# Blob read/write/delete logs live on the account's blob service (blobServices/default).
logged_accounts contains value if {
	some service in data.medinfra.lib.of_type("azure-native:storage:BlobServiceProperties")
	service.urn in logged_targets
	value := data.medinfra.lib.target(service, "/accountName", object.get(service.props, "accountName", null), {"azure-native:storage:StorageAccount"})
}

deny contains finding if {
	some account in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	not account.urn in logged_accounts
	finding := data.medinfra.lib.finding(account, sprintf("storage account %s has no diagnostic setting sending its access logs", [account.name]))
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	not bucket.props.logging.logBucket
	not bucket.props.name in log_targets
	finding := data.medinfra.lib.finding(bucket, sprintf("bucket %s does not write usage logs (logging.logBucket)", [bucket.name]))
}

# What an event data store of this plan must select to record every read and write of each
# AWS DICOM/FHIR store type: [eventCategory, field, value] per advanced event selector.
# HealthImaging: data events on data stores and on image sets (CloudTrail User Guide,
# "Understanding CloudTrail events", data events table). HealthLake has no data-event type
# (AWS::HealthLake::FHIRDatastore is a CloudFormation/Config type): it logs every action, FHIR
# reads and searches too, as management events of eventSource healthlake.amazonaws.com
# (HealthLake Developer Guide, "Logging HealthLake API calls using AWS CloudTrail").
required_selectors := {
	"aws-native:healthimaging:Datastore": [
		["Data", "resources.type", "AWS::MedicalImaging::Datastore"],
		["Data", "resources.type", "AWS::MedicalImaging::Imageset"],
	],
	"aws-native:healthlake:FhirDatastore": [["Management", "eventSource", "healthlake.amazonaws.com"]],
}

# The field that names what a selector of each category records.
selector_key := {"Data": "resources.type", "Management": "eventSource"}

# [category, field, value] some event data store of this plan records every event of: a
# selector whose fields are only eventCategory and the key field (none narrowing it to reads,
# writes, some event names or some ARNs), each matched with equals only.
recorded_selections contains [category, key, value] if {
	some fields in whole_selectors
	some category in selector_categories(fields)
	key := selector_key[category]
	every field in fields {
		field.field in {"eventCategory", key}
	}
	some field in fields
	field.field == key
	some value in data.medinfra.lib.items(field.equals)
}

# A management selector without eventSource records every management event, HealthLake's too.
recorded_selections contains ["Management", "eventSource", value] if {
	some fields in whole_selectors
	"Management" in selector_categories(fields)
	every field in fields {
		field.field == "eventCategory"
	}
	some selectors in required_selectors
	some selection in selectors
	selection[0] == "Management"
	value := selection[2]
}

# The field selectors of each advanced event selector whose conditions are all `equals` (no
# notEquals, startsWith, ... narrowing a field).
whole_selectors contains fields if {
	some store in data.medinfra.lib.of_type("aws:cloudtrail/eventDataStore:EventDataStore")
	some selector in data.medinfra.lib.items(store.props.advancedEventSelectors)
	fields := data.medinfra.lib.items(selector.fieldSelectors)
	every field in fields {
		every op in object.keys(data.medinfra.lib.obj(field)) - {"field", "equals"} {
			count(data.medinfra.lib.items(field[op])) == 0
		}
	}
}

selector_categories(fields) := {category |
	some field in fields
	field.field == "eventCategory"
	some category in data.medinfra.lib.items(field.equals)
}

deny contains finding if {
	some t, selectors in required_selectors
	some store in data.medinfra.lib.of_type(t)
	missing := [sprintf("eventCategory %s, %s %s", s) | some s in selectors; not s in recorded_selections]
	count(missing) > 0
	finding := data.medinfra.lib.finding(store, sprintf("%s %s: no CloudTrail event data store of this plan records all its reads and writes (missing advanced event selector: %s)", [store.type, store.name, concat("; ", missing)]))
}

health_service_types := {"azure-native:healthcareapis:DicomService", "azure-native:healthcareapis:FhirService"}

# Health Data Services services whose audit logs a diagnostic setting sends somewhere.
audited_services contains value if {
	some setting in data.medinfra.lib.of_type("azure-native:monitor:DiagnosticSetting")
	some log in data.medinfra.lib.items(setting.props.logs)
	log.enabled == true
	audit_category(log)
	some key in ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId"]
	setting.props[key]
	value := data.medinfra.lib.target(setting, "/resourceUri", object.get(setting.props, "resourceUri", null), health_service_types)
}

audit_category(log) if log.category == "AuditLogs"

audit_category(log) if log.categoryGroup in {"audit", "allLogs"}

deny contains finding if {
	some t in health_service_types
	some service in data.medinfra.lib.of_type(t)
	not service.urn in audited_services
	finding := data.medinfra.lib.finding(service, sprintf("%s %s has no diagnostic setting sending its AuditLogs", [service.type, service.name]))
}

healthcare_services := {"healthcare.googleapis.com", "allServices"}

# Cloud Audit Logs of the Healthcare API: which data-access log types are on.
healthcare_log_types contains kind if {
	some config in data.medinfra.lib.of_type("gcp:projects/iAMAuditConfig:IAMAuditConfig")
	config.props.service in healthcare_services
	some log in data.medinfra.lib.items(config.props.auditLogConfigs)
	entry := data.medinfra.lib.obj(log) # an unknown entry ("[unknown]") turns nothing on
	kind := object.get(entry, "logType", null)
	is_string(kind)
	count(object.get(entry, "exemptedMembers", [])) == 0
}

deny contains finding if {
	some dataset in data.medinfra.lib.of_type("gcp:healthcare/dataset:Dataset")
	missing := {"DATA_READ", "DATA_WRITE"} - healthcare_log_types
	count(missing) > 0
	finding := data.medinfra.lib.finding(dataset, sprintf("Cloud Healthcare dataset %s: data-access audit logs %v are not on for healthcare.googleapis.com (gcp.projects.IAMAuditConfig)", [dataset.name, sort(missing)]))
}
