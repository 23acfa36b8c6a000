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

max_days := 90

aws_rotates(key) if {
	key.props.enableKeyRotation == true
	key.props.rotationPeriodInDays <= max_days
}

deny contains finding if {
	some key in data.medinfra.lib.of_type("aws:kms/key:Key")
	object.get(key.props, "customerMasterKeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
	not aws_rotates(key)
	finding := data.medinfra.lib.finding(key, sprintf("KMS key %s does not rotate automatically every %d days or less", [key.name, max_days]))
}

# ISO 8601 durations Key Vault accepts for a trigger, in days.
iso_days(d) := to_number(trim_suffix(trim_prefix(d, "P"), "D")) if regex.match(`^P\d+D$`, d)

iso_days(d) := to_number(trim_suffix(trim_prefix(d, "P"), "W")) * 7 if regex.match(`^P\d+W$`, d)

iso_days(d) := to_number(trim_suffix(trim_prefix(d, "P"), "M")) * 31 if regex.match(`^P\d+M$`, d)

azure_rotates(key) if {
	some action in key.props.properties.rotationPolicy.lifetimeActions
	lower(action.action.type) == "rotate"
	iso_days(action.trigger.timeAfterCreate) <= max_days
}

deny contains finding if {
	some key in data.medinfra.lib.of_type("azure-native:keyvault:Key")
	not azure_rotates(key)
	finding := data.medinfra.lib.finding(key, sprintf("Key Vault key %s has no rotation policy that rotates within %d days", [key.name, max_days]))
}

gcp_rotates(key) if {
	regex.match(`^\d+(\.\d+)?s$`, key.props.rotationPeriod)
	to_number(trim_suffix(key.props.rotationPeriod, "s")) <= max_days * 86400
}

deny contains finding if {
	some key in data.medinfra.lib.of_type("gcp:kms/cryptoKey:CryptoKey")
	object.get(key.props, "purpose", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
	not gcp_rotates(key)
	finding := data.medinfra.lib.finding(key, sprintf("Cloud KMS key %s does not rotate every %d days or less (rotationPeriod)", [key.name, max_days]))
}
