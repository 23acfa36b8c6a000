# METADATA
# title: Keys and key vaults cannot be deleted in a hurry
# description: >-
#   Deleting a key makes every record encrypted with it unreadable, which for patient data is a
#   loss of availability and integrity. AWS KMS keys use the maximum 30-day deletion window,
#   Azure Key Vaults have soft delete and purge protection, and Cloud KMS keys keep destroyed
#   versions restorable for at least 30 days. A missing setting is a finding.
# custom:
#   id: MED-KEY-002
#   severity: high
#   controls:
#     hipaa: ["164.308(a)(7)(ii)(A)", "164.312(c)(1)"]
#     gdpr: ["Art.32(1)(b)", "Art.32(1)(c)"]
#     cis: ["Azure 8.5"]
#   resource_types:
#     - aws:kms/key:Key
#     - azure-native:keyvault:Vault
#     - gcp:kms/cryptoKey:CryptoKey
#   remediation: >-
#     AWS: deletionWindowInDays 30. Azure: properties.enableSoftDelete true and
#     properties.enablePurgeProtection true. GCP: destroyScheduledDuration of at least 2592000s
#     (30 days).
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/keys.py: KeysArgs.deletion_window_days / Keys"
#     azure:
#       - "components/azure/keys.py: KeysArgs.soft_delete_retention_days / Keys"
#     gcp:
#       - "components/gcp/keys.py: KeysArgs.destroy_scheduled_days / KeysArgs.protect / Keys"
package medinfra.rules.key_deletion_protected

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:kms/key:Key": {
		"/deletionWindowInDays": "value",
	},
	"azure-native:keyvault:Vault": {
		"/properties/enablePurgeProtection": "value",
		"/properties/enableSoftDelete": "value",
	},
	"gcp:kms/cryptoKey:CryptoKey": {
		"/destroyScheduledDuration": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

min_days := 30

deny contains finding if {
	some key in data.medinfra.lib.of_type("aws:kms/key:Key")
	not key.props.deletionWindowInDays >= min_days
	finding := data.medinfra.lib.finding(key, sprintf("KMS key %s has a deletion window under %d days", [key.name, min_days]))
}

vault_protected(vault) if {
	vault.props.properties.enablePurgeProtection == true
	object.get(data.medinfra.lib.obj(vault.props.properties), "enableSoftDelete", true) == true
}

deny contains finding if {
	some vault in data.medinfra.lib.of_type("azure-native:keyvault:Vault")
	not vault_protected(vault)
	finding := data.medinfra.lib.finding(vault, sprintf("Key Vault %s lacks purge protection or soft delete", [vault.name]))
}

gcp_protected(key) if {
	regex.match(`^\d+(\.\d+)?s$`, key.props.destroyScheduledDuration)
	to_number(trim_suffix(key.props.destroyScheduledDuration, "s")) >= min_days * 86400
}

deny contains finding if {
	some key in data.medinfra.lib.of_type("gcp:kms/cryptoKey:CryptoKey")
	not gcp_protected(key)
	finding := data.medinfra.lib.finding(key, sprintf("Cloud KMS key %s keeps destroyed versions restorable for under %d days", [key.name, min_days]))
}
