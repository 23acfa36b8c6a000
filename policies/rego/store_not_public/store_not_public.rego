# METADATA
# title: Object stores can never be made public
# description: >-
#   A single public bucket is a reportable breach. S3 buckets have all four public access
#   blocks on; Azure storage accounts forbid anonymous blob access and public network access,
#   and every blob container says publicAccess None; Cloud Storage buckets enforce public access prevention and uniform bucket-level access, and
#   no bucket grant names allUsers or allAuthenticatedUsers. Managed DICOM and FHIR stores
#   answer only identities of the organisation: HealthLake authorizes with AWS IAM (AWS_AUTH),
#   never an outside identity provider; an Azure Health Data Services workspace has a private
#   endpoint of this plan (Azure then closes its public network access) and its FHIR services
#   accept only Entra ID tokens (login.microsoftonline.com), without the SMART proxy; no Cloud
#   Healthcare dataset or store grant names allUsers or allAuthenticatedUsers.
# custom:
#   id: MED-NET-002
#   severity: critical
#   controls:
#     hipaa: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"]
#     gdpr: ["Art.32(1)(b)", "Art.25(2)"]
#     cis: ["AWS 2.1.4", "Azure 3.7", "GCP 5.1", "GCP 5.2"]
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock
#     - azure-native:storage:StorageAccount
#     - azure-native:storage:BlobContainer
#     - gcp:storage/bucket:Bucket
#     - gcp:storage/bucketIAMMember:BucketIAMMember
#     - gcp:storage/bucketIAMBinding:BucketIAMBinding
#     - aws-native:healthlake:FhirDatastore
#     - azure-native:healthcareapis:Workspace
#     - azure-native:healthcareapis:FhirService
#     - azure-native:network:PrivateEndpoint
#     - gcp:healthcare/datasetIamMember:DatasetIamMember
#     - gcp:healthcare/dicomStoreIamMember:DicomStoreIamMember
#     - gcp:healthcare/fhirStoreIamMember:FhirStoreIamMember
#   remediation: >-
#     AWS: an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls,
#     blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true. Azure:
#     allowBlobPublicAccess false and publicNetworkAccess Disabled (use private endpoints), and
#     publicAccess None on every blob container. GCP:
#     publicAccessPrevention "enforced" and uniformBucketLevelAccess true; grant roles to named
#     principals only. HealthLake: identityProviderConfiguration.authorizationStrategy
#     AWS_AUTH. Azure Health Data Services: a private endpoint (group healthcareworkspace) for
#     the workspace, and on FHIR services authenticationConfiguration.authority
#     https://login.microsoftonline.com/<tenant> with smartProxyEnabled false. Cloud Healthcare:
#     grant roles on a store to named principals only.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/bucket_baseline.py: lock_down_bucket()"
#       - "components/aws/health_store.py: HealthStore"
#     azure:
#       - "components/azure/data_store.py: DataStoreArgs.container_name / DataStore"
#       - "components/azure/health_store.py: HealthWorkspaceArgs.endpoint_subnet_id / HealthWorkspace"
#     gcp:
#       - "components/gcp/bucket_baseline.py: bucket_baseline()"
#       - "components/gcp/identity.py: WorkloadIdentity"
#       - "components/gcp/health_store.py: HealthDataset.grant_reader()"
package medinfra.rules.store_not_public

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
		"/bucket": "aws:s3/bucket:Bucket",
		"/blockPublicAcls": "value",
		"/blockPublicPolicy": "value",
		"/ignorePublicAcls": "value",
		"/restrictPublicBuckets": "value",
	},
	"azure-native:storage:StorageAccount": {
		"/allowBlobPublicAccess": "value",
		"/publicNetworkAccess": "value",
	},
	"azure-native:storage:BlobContainer": {
		"/publicAccess": "value",
	},
	"gcp:storage/bucket:Bucket": {
		"/publicAccessPrevention": "value",
		"/uniformBucketLevelAccess": "value",
	},
	"gcp:storage/bucketIAMMember:BucketIAMMember": {
		"/member": "identity",
	},
	"gcp:storage/bucketIAMBinding:BucketIAMBinding": {
		"/members": "identity",
	},
	"aws-native:healthlake:FhirDatastore": {
		"/identityProviderConfiguration/authorizationStrategy": "value",
	},
	"azure-native:healthcareapis:FhirService": {
		"/authenticationConfiguration/authority": "value",
		"/authenticationConfiguration/smartProxyEnabled": "value",
	},
	"azure-native:network:PrivateEndpoint": {
		"/privateLinkServiceConnections/*/groupIds": "value",
	},
	"gcp:healthcare/datasetIamMember:DatasetIamMember": {
		"/member": "identity",
	},
	"gcp:healthcare/dicomStoreIamMember:DicomStoreIamMember": {
		"/member": "identity",
	},
	"gcp:healthcare/fhirStoreIamMember:FhirStoreIamMember": {
		"/member": "identity",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

pab_type := "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"

blocked_buckets contains value if {
	some pab in data.medinfra.lib.of_type(pab_type)
	pab.props.blockPublicAcls == true
	pab.props.blockPublicPolicy == true
	pab.props.ignorePublicAcls == true
	pab.props.restrictPublicBuckets == true
	value := data.medinfra.lib.target(pab, "/bucket", object.get(pab.props, "bucket", null), {"aws:s3/bucket:Bucket"})
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("aws:s3/bucket:Bucket")
	not bucket.urn in blocked_buckets
	finding := data.medinfra.lib.finding(bucket, sprintf("bucket %s does not have all four S3 public access blocks on", [bucket.name]))
}

deny contains finding if {
	some account in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	not account.props.allowBlobPublicAccess == false
	finding := data.medinfra.lib.finding(account, sprintf("storage account %s may expose blobs anonymously (allowBlobPublicAccess is not false)", [account.name]))
}

deny contains finding if {
	some account in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	not account.props.publicNetworkAccess == "Disabled"
	finding := data.medinfra.lib.finding(account, sprintf("storage account %s is reachable from public networks (publicNetworkAccess is not Disabled)", [account.name]))
}

# Stated on each container (absent is a finding): should the account-level switch ever be turned
# on, the container's own publicAccess (Blob or Container) decides what is anonymous.
deny contains finding if {
	some container in data.medinfra.lib.of_type("azure-native:storage:BlobContainer")
	not container.props.publicAccess == "None"
	finding := data.medinfra.lib.finding(container, sprintf("blob container %s does not state publicAccess None (it is %v)", [container.name, object.get(data.medinfra.lib.obj(container.props), "publicAccess", "omitted")]))
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	not bucket.props.publicAccessPrevention == "enforced"
	finding := data.medinfra.lib.finding(bucket, sprintf("bucket %s does not enforce public access prevention", [bucket.name]))
}

deny contains finding if {
	some bucket in data.medinfra.lib.of_type("gcp:storage/bucket:Bucket")
	not bucket.props.uniformBucketLevelAccess == true
	finding := data.medinfra.lib.finding(bucket, sprintf("bucket %s allows per-object ACLs (uniformBucketLevelAccess is not true)", [bucket.name]))
}

public_members := {"allUsers", "allAuthenticatedUsers"}

deny contains finding if {
	some grant in data.medinfra.lib.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")
	grant.props.member in public_members
	finding := data.medinfra.lib.finding(grant, sprintf("bucket grant %s makes the bucket public (%s)", [grant.name, grant.props.member]))
}

deny contains finding if {
	some grant in data.medinfra.lib.of_type("gcp:storage/bucketIAMBinding:BucketIAMBinding")
	some member in data.medinfra.lib.items(grant.props.members)
	member in public_members
	finding := data.medinfra.lib.finding(grant, sprintf("bucket binding %s makes the bucket public (%s)", [grant.name, member]))
}

deny contains finding if {
	some store in data.medinfra.lib.of_type("aws-native:healthlake:FhirDatastore")
	strategy := object.get(data.medinfra.lib.obj(store.props), ["identityProviderConfiguration", "authorizationStrategy"], "omitted")
	strategy != "AWS_AUTH"
	finding := data.medinfra.lib.finding(store, sprintf("FHIR datastore %s does not authorize with AWS IAM only (identityProviderConfiguration.authorizationStrategy is %v, not AWS_AUTH)", [store.name, strategy]))
}

# Workspaces of this plan with a private endpoint of this plan (its private link).
private_workspaces contains value if {
	some endpoint in data.medinfra.lib.of_type("azure-native:network:PrivateEndpoint")
	some i, connection in data.medinfra.lib.items(endpoint.props.privateLinkServiceConnections)
	"healthcareworkspace" in data.medinfra.lib.items(connection.groupIds)
	path := sprintf("/privateLinkServiceConnections/%d/privateLinkServiceId", [i])
	value := data.medinfra.lib.target(endpoint, path, object.get(connection, "privateLinkServiceId", null), {"azure-native:healthcareapis:Workspace"})
}

deny contains finding if {
	some workspace in data.medinfra.lib.of_type("azure-native:healthcareapis:Workspace")
	not workspace.urn in private_workspaces
	finding := data.medinfra.lib.finding(workspace, sprintf("Health Data Services workspace %s has no private endpoint of this plan (group healthcareworkspace), so its DICOM and FHIR services stay reachable from public networks", [workspace.name]))
}

entra_authority(authority) if {
	is_string(authority)
	regex.match(`^https://login\.microsoftonline\.com/[0-9A-Za-z.-]+/?$`, authority)
}

deny contains finding if {
	some service in data.medinfra.lib.of_type("azure-native:healthcareapis:FhirService")
	authority := object.get(data.medinfra.lib.obj(service.props), ["authenticationConfiguration", "authority"], "omitted")
	not entra_authority(authority)
	finding := data.medinfra.lib.finding(service, sprintf("FHIR service %s does not accept Entra ID tokens only (authenticationConfiguration.authority is %v, not https://login.microsoftonline.com/<tenant>)", [service.name, authority]))
}

deny contains finding if {
	some service in data.medinfra.lib.of_type("azure-native:healthcareapis:FhirService")
	not object.get(data.medinfra.lib.obj(service.props), ["authenticationConfiguration", "smartProxyEnabled"], null) == false
	finding := data.medinfra.lib.finding(service, sprintf("FHIR service %s does not turn the SMART on FHIR proxy off (authenticationConfiguration.smartProxyEnabled is not false)", [service.name]))
}

health_grant_types := {
	"gcp:healthcare/datasetIamMember:DatasetIamMember",
	"gcp:healthcare/dicomStoreIamMember:DicomStoreIamMember",
	"gcp:healthcare/fhirStoreIamMember:FhirStoreIamMember",
}

deny contains finding if {
	some t in health_grant_types
	some grant in data.medinfra.lib.of_type(t)
	grant.props.member in public_members
	finding := data.medinfra.lib.finding(grant, sprintf("Cloud Healthcare grant %s makes clinical data public (%s)", [grant.name, grant.props.member]))
}
