# METADATA
# title: Customer-managed keys rotate automatically at least every 90 days
# description: >-
#   A key that never changes gives an attacker who obtains it unlimited time. Every
#   customer-managed key (AWS KMS, Azure Key Vault, Cloud KMS) has automatic rotation switched on,
#   with a period of 90 days or less. A missing rotation setting is a finding.
# custom:
#   id: MED-KEY-001
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(2)(iv)", "164.308(a)(1)(ii)(B)"]
#     gdpr: ["Art.32(1)(a)"]
#     cis: ["AWS 3.6", "Azure 8.6", "GCP 1.10"]
#   resource_types:
#     - aws:kms/key:Key
#     - azure-native:keyvault:Key
#     - gcp:kms/cryptoKey:CryptoKey
#   remediation: >-
#     AWS: enableKeyRotation true and rotationPeriodInDays 90. Azure: a rotationPolicy with a
#     "rotate" lifetime action triggered at timeAfterCreate P90D or sooner. GCP: rotationPeriod
#     of at most 7776000s (90 days). MedInfra's Keys components do this.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/keys.py: Keys"
#     azure:
#       - "components/azure/keys.py: KeysArgs.rotate_after / rotation_policy() / Keys"
#     gcp:
#       - "components/gcp/keys.py: KeysArgs.rotation_days / Keys"
package medinfra.rules.key_rotation_enabled

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:kms/key:Key": {
		"/enableKeyRotation": "value",
		"/rotationPeriodInDays": "value",
		"/customerMasterKeySpec": "value",
	},
	"azure-native:keyvault:Key": {
		"/properties/rotationPolicy": "value",
	},
	"gcp:kms/cryptoKey:CryptoKey": {
		"/rotationPeriod": "value",
		"/purpose": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

max_days := data.medinfra.lib.max_rotation_days

# Rotation is judged by data.medinfra.lib.key_rotates: the same test decides whether an unknown
# key reference elsewhere traces to a rotating key of this plan.
deny contains finding if {
	some key in data.medinfra.lib.of_type("aws:kms/key:Key")
	object.get(data.medinfra.lib.obj(key.props), "customerMasterKeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
	not data.medinfra.lib.key_rotates(key)
	finding := data.medinfra.lib.finding(key, sprintf("KMS key %s does not rotate automatically every %d days or less", [key.name, max_days]))
}

deny contains finding if {
	some key in data.medinfra.lib.of_type("azure-native:keyvault:Key")
	not data.medinfra.lib.key_rotates(key)
	finding := data.medinfra.lib.finding(key, sprintf("Key Vault key %s has no rotation policy that rotates within %d days", [key.name, max_days]))
}

deny contains finding if {
	some key in data.medinfra.lib.of_type("gcp:kms/cryptoKey:CryptoKey")
	object.get(data.medinfra.lib.obj(key.props), "purpose", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
	not data.medinfra.lib.key_rotates(key)
	finding := data.medinfra.lib.finding(key, sprintf("Cloud KMS key %s does not rotate every %d days or less (rotationPeriod)", [key.name, max_days]))
}
