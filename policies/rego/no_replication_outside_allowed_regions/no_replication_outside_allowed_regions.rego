# METADATA
# title: PHI is not replicated outside the allowed regions
# description: >-
#   Geo-redundant copies are copies too: on PHI stacks, S3 replication may only target a bucket
#   of this plan (which is itself held to allowedRegions), and Azure storage accounts use
#   geo-redundant SKUs (GRS, RA-GRS, GZRS) only when the paired region is also allowed (the
#   allowed regions of MED-RES-001: the policy-pack config's, narrowed by the stack's).
# custom:
#   id: MED-RES-002
#   severity: high
#   controls:
#     hipaa: []
#     gdpr: ["Art.44", "Art.46"]
#     cis: []
#   resource_types:
#     - aws:s3/bucketReplicationConfig:BucketReplicationConfig
#     - azure-native:storage:StorageAccount
#   remediation: >-
#     Replicate only to buckets created by this stack in an allowed region; on Azure use
#     Standard_LRS or Standard_ZRS, or add the paired region to allowedRegions after a privacy
#     review.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "none: no MedInfra component configures S3 replication; the rule judges replication a program adds"
#     azure:
#       - "components/azure/data_store.py: DataStoreArgs.replication / DataStore"
package medinfra.rules.no_replication_outside_allowed_regions

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig": {
		"/rules/*/destination/bucket": "aws:s3/bucket:Bucket",
	},
	"azure-native:storage:StorageAccount": {
		"/sku/name": "value",
		"/location": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

deny contains finding if {
	data.medinfra.lib.is_phi
	some config in data.medinfra.lib.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
	some i, rule in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(config.props), "rules", [])))
	not data.medinfra.lib.references_type(config, sprintf("/rules/%d/destination/bucket", [i]), "aws:s3/bucket:Bucket")
	finding := data.medinfra.lib.finding(config, sprintf("replication %s copies PHI to a bucket outside this plan (%v)", [config.name, object.get(data.medinfra.lib.obj(rule), ["destination", "bucket"], "?")]))
}

# Azure region pairs for the regions EU and US health customers use most.
pairs := {
	"westeurope": "northeurope", "northeurope": "westeurope",
	"germanywestcentral": "germanynorth", "germanynorth": "germanywestcentral",
	"francecentral": "francesouth", "francesouth": "francecentral",
	"swedencentral": "swedensouth", "swedensouth": "swedencentral",
	"switzerlandnorth": "switzerlandwest", "switzerlandwest": "switzerlandnorth",
	"uksouth": "ukwest", "ukwest": "uksouth",
	"eastus": "westus", "westus": "eastus", "eastus2": "centralus", "centralus": "eastus2",
}

geo_redundant(sku) if regex.match(`(?i)_(RA)?G(Z)?RS$`, sku)

# The allowed regions as the gate settles them (data.medinfra.lib.settings: the organisation's
# policy-pack config narrowed by the stack); none set counts as none allowed.
allowed := {lower(replace(r, " ", "")) | some r in object.get(data.medinfra.lib.settings, "allowedRegions", []); is_string(r)}

pair_allowed(location) if pairs[lower(replace(location, " ", ""))] in allowed

deny contains finding if {
	data.medinfra.lib.is_phi
	some account in data.medinfra.lib.of_type("azure-native:storage:StorageAccount")
	geo_redundant(account.props.sku.name)
	not pair_allowed(object.get(data.medinfra.lib.obj(account.props), "location", ""))
	finding := data.medinfra.lib.finding(account, sprintf("storage account %s (%s) replicates PHI to a paired region outside allowedRegions", [account.name, account.props.sku.name]))
}
