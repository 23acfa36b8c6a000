# METADATA
# title: Nobody outside the organisation can use or manage the keys
# description: >-
#   A key policy or grant naming "everyone" lets any account use the key that protects patient
#   data. AWS key policies grant nothing to the "*" principal, Azure Key Vaults use Azure RBAC
#   (not legacy access policies), and Cloud KMS keys are never granted to allUsers or
#   allAuthenticatedUsers. A policy that is missing or cannot be read is a finding.
# custom:
#   id: MED-KEY-003
#   severity: critical
#   controls:
#     hipaa: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"]
#     gdpr: ["Art.32(1)(b)", "Art.25(2)"]
#     cis: ["AWS 1.16", "Azure 8.7", "GCP 1.9"]
#   resource_types:
#     - aws:kms/key:Key
#     - azure-native:keyvault:Vault
#     - gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember
#     - gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding
#   remediation: >-
#     AWS: write an explicit key policy whose statements name the account root and the service
#     or role principals that need the key, never Principal "*". Azure: set
#     properties.enableRbacAuthorization true and grant Key Vault roles per key. GCP: grant
#     roles on the key to named service accounts only.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/policies.py: kms_key_policy()"
#       - "components/aws/keys.py: Keys"
#     azure:
#       - "components/azure/keys.py: Keys"
#     gcp:
#       - "components/gcp/keys.py: KeysArgs.agents / Keys"
package medinfra.rules.key_access_not_public

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:kms/key:Key": {
		"/policy": "value",
	},
	"azure-native:keyvault:Vault": {
		"/properties/enableRbacAuthorization": "value",
	},
	"gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": {
		"/member": "identity",
	},
	"gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding": {
		"/members": "identity",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

public_key(key) if {
	doc := data.medinfra.lib.policy_doc(key.props.policy)
	some s in data.medinfra.lib.items(data.medinfra.lib.statements(doc))
	s.Effect == "Allow"
	data.medinfra.lib.wildcard_principal(s.Principal)
	not s.Condition
}

readable_policy(key) if is_object(data.medinfra.lib.policy_doc(key.props.policy))

deny contains finding if {
	some key in data.medinfra.lib.of_type("aws:kms/key:Key")
	public_key(key)
	finding := data.medinfra.lib.finding(key, sprintf("KMS key %s has a key policy that allows the \"*\" principal", [key.name]))
}

deny contains finding if {
	some key in data.medinfra.lib.of_type("aws:kms/key:Key")
	not readable_policy(key)
	finding := data.medinfra.lib.finding(key, sprintf("KMS key %s has no explicit, readable key policy", [key.name]))
}

deny contains finding if {
	some vault in data.medinfra.lib.of_type("azure-native:keyvault:Vault")
	not vault.props.properties.enableRbacAuthorization == true
	finding := data.medinfra.lib.finding(vault, sprintf("Key Vault %s does not use Azure RBAC authorization", [vault.name]))
}

public_members := {"allUsers", "allAuthenticatedUsers"}

deny contains finding if {
	some grant in data.medinfra.lib.of_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
	grant.props.member in public_members
	finding := data.medinfra.lib.finding(grant, sprintf("Cloud KMS key grant %s gives %s access", [grant.name, grant.props.member]))
}

deny contains finding if {
	some grant in data.medinfra.lib.of_type("gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding")
	some member in data.medinfra.lib.items(grant.props.members)
	member in public_members
	finding := data.medinfra.lib.finding(grant, sprintf("Cloud KMS key binding %s gives %s access", [grant.name, member]))
}
