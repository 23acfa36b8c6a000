# Shared helpers for MedInfra rules. Input: the Inventory (DESIGN.md).
# Call these functions by their full path (data.medinfra.lib.of_type(...)): the embedded engine
# resolves rules, but not functions, through an import alias.
package medinfra.lib

import rego.v1

by_urn := {r.urn: r | some r in input.resources}

# Every planned resource of one type.
of_type(t) := [r | some r in input.resources; r.type == t]

# The resource of this plan that property `path` of `r` came from (undefined if none).
referenced(r, path) := by_urn[r.references[path]]

# A customer-managed KMS key of this plan with automatic rotation on.
rotating_kms_key(k) if {
	k.type == "aws:kms/key:Key"
	k.props.enableKeyRotation == true
}
