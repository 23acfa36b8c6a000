# METADATA
# title: Resources stay in the regions the stack allows
# description: >-
#   Data residency: every provider and every resource that names a region or location uses
#   one of the stack's allowedRegions. A region outside the list, or a stack that does not
#   declare allowedRegions while naming regions, is a finding.
# custom:
#   id: MED-RES-001
#   severity: high
#   controls:
#     hipaa: []
#     gdpr: ["Art.44", "Art.45", "Art.46"]
#     cis: []
#   resource_types:
#     - pulumi:providers:aws
#     - pulumi:providers:gcp
#     - pulumi:providers:azure-native
#     - "aws:*"
#   remediation: >-
#     Deploy into one of the stack's allowedRegions (medinfra:region), or, if the data may
#     lawfully live there, add the region to medinfra:allowedRegions after a privacy review.
#   waivable: false
package medinfra.rules.region_in_allowed_regions

import rego.v1

allowed := {r | some r in object.get(input.config, "allowedRegions", [])}

region_props := {"pulumi:providers:aws": "region", "pulumi:providers:gcp": "region", "pulumi:providers:azure-native": "location"}

deny contains finding if {
	some resource in input.resources
	prop := region_props[resource.type]
	region := resource.props[prop]
	not region in allowed
	finding := {
		"urn": resource.urn,
		"message": sprintf("provider %s deploys to %v, outside allowedRegions %v", [resource.name, region, sort(allowed)]),
	}
}

deny contains finding if {
	some resource in input.resources
	startswith(resource.type, "aws:")
	region := resource.props.region
	not region in allowed
	finding := {
		"urn": resource.urn,
		"message": sprintf("%s %s is placed in %v, outside allowedRegions %v", [resource.type, resource.name, region, sort(allowed)]),
	}
}
