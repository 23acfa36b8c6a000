# METADATA
# title: Resources stay in the regions the stack allows
# description: >-
#   Data residency: every provider and every resource that names a region, location or zone
#   (AWS region, Azure location, GCP region, location or zone) uses one of the stack's
#   allowedRegions. A multi-region location (such as the GCS "EU" or "US" multi-regions), a
#   region outside the list or a value not yet known is a finding. The allowed regions are the
#   organisation's (allowedRegions of the medinfra-settings policy in the policy-pack config),
#   narrowed by the stack's medinfra:allowedRegions; either alone applies. When neither is set
#   and the plan places resources, that is one finding saying how to set it.
# custom:
#   id: MED-RES-001
#   severity: high
#   controls:
#     hipaa: []
#     gdpr: ["Art.44", "Art.45", "Art.46"]
#     cis: []
#   resource_types:
#     - pulumi:providers:aws
#     - pulumi:providers:aws-native
#     - pulumi:providers:gcp
#     - pulumi:providers:azure-native
#     - "aws:*"
#     - "azure-native:*"
#     - "gcp:*"
#   remediation: >-
#     Deploy into one of the allowed regions (medinfra:region), or, if the data may lawfully
#     live there, add the region after a privacy review: to allowedRegions of the
#     medinfra-settings policy in the policy-pack config (pulumi preview --policy-pack-config
#     FILE; medinfra preview --policy-pack-config FILE), or to the stack's
#     medinfra:allowedRegions, which may only narrow the organisation's list.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/compose.py: build()"
#       - "components/aws/keys.py: KeysArgs.region"
#       - "components/aws/network.py: NetworkArgs.region"
#     azure:
#       - "components/azure/compose.py: build()"
#     gcp:
#       - "components/gcp/compose.py: build()"
package medinfra.rules.region_in_allowed_regions

import rego.v1

normal(region) := lower(replace(region, " ", ""))

regions_set if is_array(data.medinfra.lib.settings.allowedRegions)

allowed_as_written := {r | some r in data.medinfra.lib.settings.allowedRegions; is_string(r)}

where_from := object.get(data.medinfra.lib.settings, "allowedRegionsFrom", "the settings")

allowed := {normal(r) | some r in allowed_as_written}

region_props := {"pulumi:providers:aws": "region", "pulumi:providers:aws-native": "region", "pulumi:providers:gcp": "region", "pulumi:providers:azure-native": "location"}

# Locations that are not a place (Azure "global" resources such as DNS zones).
placeless := {"global"}

# A GCP zone (europe-west4-a) lies in its region.
region_of(location) := r if {
	regex.match(`^[a-z]+-[a-z]+\d+-[a-z]$`, location)
	r := substring(location, 0, count(location) - 2)
} else := location

outside(value) if not is_string(value)

outside(value) if {
	is_string(value)
	not data.medinfra.lib.is_unknown(value)
	not value in allowed_as_written
	location := normal(value)
	not location in placeless
	not region_of(location) in allowed
}

deny contains finding if {
	regions_set
	some resource in input.resources
	prop := region_props[resource.type]
	region := resource.props[prop]
	outside(region)
	finding := {
		"urn": resource.urn,
		"message": sprintf("provider %s deploys to %v, outside the allowed regions %v (from %s)", [resource.name, region, sort(allowed), where_from]),
	}
}

placement_props := {"aws": ["region"], "azure-native": ["location"], "gcp": ["region", "location", "zone"]}

# Placement properties per type, worked out once per type rather than once per resource.
placement_of_type[t] := props if {
	some t, _ in data.medinfra.lib.by_type
	props := placement_props[split(t, ":")[0]]
}

deny contains finding if {
	regions_set
	some t, props in placement_of_type
	some resource in data.medinfra.lib.by_type[t]
	some prop in props
	region := resource.props[prop]
	outside(region)
	finding := {
		"urn": resource.urn,
		"message": sprintf("%s %s is placed in %v, outside the allowed regions %v (from %s)", [resource.type, resource.name, region, sort(allowed), where_from]),
	}
}

# Resources that name where they are placed.
placed contains resource.urn if {
	some resource in input.resources
	region_props[resource.type] in object.keys(data.medinfra.lib.obj(resource.props))
}

placed contains resource.urn if {
	some t, props in placement_of_type
	some resource in data.medinfra.lib.by_type[t]
	some prop in props
	prop in object.keys(data.medinfra.lib.obj(resource.props))
}

stack_urns := {r.urn | some r in data.medinfra.lib.of_type("pulumi:pulumi:Stack")}

# No allowed regions at all: one finding for the stack, not one per resource.
deny contains finding if {
	not regions_set
	count(placed) > 0
	finding := {
		"urn": concat("", [u | some u in stack_urns]),
		"message": sprintf("no allowed regions are set, so where %d resources are placed cannot be judged; set allowedRegions in the medinfra-settings policy of the policy-pack config (pulumi preview --policy-pack-config FILE, medinfra preview --policy-pack-config FILE), or medinfra:allowedRegions in the stack config", [count(placed)]),
	}
}

# The properties this rule judges (data.medinfra.lib.unverifiable): where a resource is placed
# must be known at preview.
verifiable[t] := pointers if {
	some t, props in placement_of_type
	pointers := {concat("/", ["", p]): "value" | some p in props}
}

verifiable[t] := {concat("/", ["", prop]): "value"} if {
	some t, prop in region_props
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}
