# Unknown values, decided in one place (DESIGN.md "The gate": fail closed).
#
# On a stack that does not exist yet, computed outputs are unknown: the Inventory lists their
# JSON pointers in `unknowns` and shows their value as "[unknown]". A rule declares, per resource
# type, the properties it judges and what could vouch for each (`verifiable`, a "kind"), and adds
#
#	deny contains f if some f in data.medinfra.lib.unverifiable(verifiable)
#
# An unknown leaf in (or above) a declared property passes only on provenance: the value comes
# from a resource of this plan that itself satisfies the rule (the key is a rotating customer-
# managed key of the plan, the scope is one resource of the plan). Anything else is a finding
# "cannot be verified before deployment" that names the property and what would make it
# verifiable, carries `provenance` (reports show it) and is mandatory whatever the rule's
# severity. A "value" kind is never vouched for by where it comes from: a flag, an enum, a CIDR
# or a policy document must be known at preview.
package medinfra.lib

import rego.v1

unknown_mark := "[unknown]"

is_unknown(v) if v == unknown_mark

# The RFC 6901 pointer of a walk() path.
as_pointer(path) := concat("", [concat("", ["/", replace(replace(sprintf("%v", [s]), "~", "~0"), "/", "~1")]) | some s in path])

segments(p) := [s | some i, s in split(p, "/"); i > 0]

# Pointers of every unknown value of `r`: those the Inventory lists, and every "[unknown]" mark.
unknown_pointers(r) := {p | some p in object.get(r, "unknowns", []); is_string(p)} | {as_pointer(path) |
	walk(object.get(r, "props", {}), [path, v])
	v == unknown_mark
}

_mismatch(us, ps) if {
	some i, s in ps
	i < count(us)
	s != "*"
	us[i] != s
}

# Unknown pointer `u` is, contains or lies inside a property `pattern` names ("*": any key/index).
overlaps(u, pattern) if not _mismatch(segments(u), segments(pattern))

# The resources of this plan the value at `path` of `r` may have come from: the closest property
# the Inventory attributes, else (a property with several dependencies, whose leaves Pulumi does
# not attribute) every dependency of the resource.
provenance(r, path) := {found} if {
	found := data.medinfra.lib.referenced(r, path)
}

# A value read from another stack (a stack reference: `stack_outputs`, never `references`).
provenance(r, path) := {data.medinfra.lib.by_urn[origin.reference]} if {
	not data.medinfra.lib.referenced(r, path)
	origin := r.stack_outputs[path]
}

provenance(r, path) := data.medinfra.lib.dependencies_of(r) if {
	not data.medinfra.lib.referenced(r, path)
	not r.stack_outputs[path]
}

dependencies_of(r) := {d |
	some dependency in object.get(r, "dependencies", [])
	d := data.medinfra.lib.by_urn[dependency]
}

# The URN of the resource of one of `types` that property `path` of `r` (whose value is `value`)
# names: the attributed reference; or, for a value unknown at preview in a property with several
# dependencies, the one dependency of those types (several of them: undefined, never a guess).
target(r, path, _, types) := found.urn if {
	found := data.medinfra.lib.referenced(r, path)
	found.type in types
}

target(r, path, value, types) := urn if {
	not data.medinfra.lib.referenced(r, path)
	is_unknown(value)
	candidates := {c.urn | some c in data.medinfra.lib.dependencies_of(r); c.type in types}
	count(candidates) == 1
	some urn in candidates
}

# What each kind of property must come from, as a type test and as the full requirement.
of_kind("cmk", c) if c.type in cmk_types

of_kind("disk_encryption_set", c) if c.type == "azure-native:compute:DiskEncryptionSet"

of_kind("registry", c) if c.type in registry_types

of_kind("identity", c) if c.type in identity_types

of_kind("azure_scope", c) if startswith(c.type, "azure-native:")

of_kind(kind, c) if {
	contains(kind, ":")
	c.type == kind
}

registry_types := {"aws:ecr/repository:Repository", "azure-native:containerregistry:Registry", "gcp:artifactregistry/repository:Repository"}

identity_types := {
	"aws:iam/role:Role", "azure-native:managedidentity:UserAssignedIdentity",
	"gcp:serviceaccount/account:Account", "gcp:projects/serviceIdentity:ServiceIdentity",
}

satisfies("cmk", c) if data.medinfra.lib.key_rotates(c)

satisfies("disk_encryption_set", c) if {
	c.type == "azure-native:compute:DiskEncryptionSet"
	data.medinfra.lib.key_rotates(data.medinfra.lib.referenced(c, "/activeKey/keyUrl"))
}

# A registry whose tags cannot be moved: an image from it cannot change under a deployment.
satisfies("registry", c) if {
	c.type == "aws:ecr/repository:Repository"
	c.props.imageTagMutability == "IMMUTABLE"
}

satisfies("registry", c) if {
	c.type == "gcp:artifactregistry/repository:Repository"
	c.props.dockerConfig.immutableTags == true
}

satisfies("identity", c) if c.type in identity_types

# One resource of the plan: never a subscription, resource group or management group.
satisfies("azure_scope", c) if {
	startswith(c.type, "azure-native:")
	not c.type in {"azure-native:resources:ResourceGroup", "azure-native:management:ManagementGroup"}
}

satisfies(kind, c) if {
	contains(kind, ":")
	c.type == kind
}

requirement("value") := "a value known at preview"

requirement("cmk") := "a customer-managed key of this plan that rotates automatically"

requirement("disk_encryption_set") := "a disk encryption set of this plan whose key is a rotating customer-managed key of this plan"

requirement("registry") := "a registry of this plan with immutable tags"

requirement("identity") := "an identity of this plan"

requirement("azure_scope") := "one resource of this plan (not a subscription or resource group)"

requirement(kind) := sprintf("a %s of this plan", [kind]) if contains(kind, ":")

remedy("value") := "set it from values known at preview (literals, or names the program sets) rather than from another resource's output"

remedy(kind) := sprintf("set it directly from an output (id, ARN, name) of %s, so the plan traces it to that resource", [requirement(kind)]) if kind != "value"

# The unknown value at `path` of `r` comes from resources of this plan that satisfy `kind`: at
# least one candidate of the kind, and every candidate of the kind satisfies it.
traced(r, path, kind) if {
	kind != "value"
	candidates := {c | some c in provenance(r, path); of_kind(kind, c)}
	count(candidates) > 0
	every c in candidates {
		satisfies(kind, c)
	}
}

_why(_, _, "value") := "a value is not vouched for by where it comes from"

_why(r, path, kind) := "it does not trace to a resource of this plan" if {
	kind != "value"
	count(provenance(r, path)) == 0
}

_why(r, path, kind) := sprintf("it traces to %s, not to %s", [concat(", ", names), requirement(kind)]) if {
	kind != "value"
	sources := provenance(r, path)
	count(sources) > 0
	names := sort([c.name | some c in sources])
}

# A finding for an unknown that provenance does not decide. `provenance` marks it as judged on
# provenance (the gate makes it mandatory; reports show it).
unverifiable_finding(r, path, kind) := {
	"urn": r.urn,
	"message": sprintf("%s: %s is not known before deployment and %s, so it cannot be verified before deployment; to make it verifiable, %s%s", [r.name, path, _why(r, path, kind), remedy(kind), _unread_stacks(r, path)]),
	"provenance": {
		"property": path,
		"requires": requirement(kind),
		"traced_to": _traced_to(r, path),
	},
}

# The stack references the value comes from whose outputs the offline preview was not given (a
# real preview reads them from the backend): how to give them.
_unread_stacks(r, path) := hint if {
	names := sort({c.props.name |
		some c in provenance(r, path)
		c.type == "pulumi:pulumi:StackReference"
		"/outputs" in object.get(c, "unknowns", [])
	})
	count(names) > 0
	flags := concat(" ", [sprintf("--stack-outputs %s=FILE", [n]) | some n in names])
	hint := sprintf(" (or, offline, give the outputs of the referenced stack %s: medinfra preview %s, with the JSON `pulumi stack output --json` prints)", [concat(", ", names), flags])
} else := ""

_traced_to(r, path) := sorted if {
	sources := provenance(r, path)
	sorted := sort([c.urn | some c in sources])
}

# Every unknown leaf in a property `spec` ({type: {pointer pattern: kind}}) declares that
# provenance does not vouch for.
unverifiable(spec) := {f |
	some t, properties in spec
	some r in data.medinfra.lib.of_type(t)
	some u in unknown_pointers(r)
	some pattern, kind in properties
	overlaps(u, pattern)
	not traced(r, u, kind)
	f := unverifiable_finding(r, u, kind)
}

# Key rotation, as MED-KEY-001 requires it (that rule uses these too).
max_rotation_days := 90

key_rotates(key) if {
	key.type == "aws:kms/key:Key"
	key.props.enableKeyRotation == true
	key.props.rotationPeriodInDays <= max_rotation_days
}

key_rotates(key) if {
	key.type == "azure-native:keyvault:Key"
	some action in data.medinfra.lib.items(key.props.properties.rotationPolicy.lifetimeActions)
	lower(action.action.type) == "rotate"
	iso_days(action.trigger.timeAfterCreate) <= max_rotation_days
}

key_rotates(key) if {
	key.type == "gcp:kms/cryptoKey:CryptoKey"
	regex.match(`^\d+(\.\d+)?s$`, key.props.rotationPeriod)
	to_number(trim_suffix(key.props.rotationPeriod, "s")) <= max_rotation_days * 86400
}

# ISO 8601 durations Key Vault accepts for a trigger, in days.
iso_days(d) := to_number(trim_suffix(trim_prefix(d, "P"), "D")) if regex.match(`^P\d+D$`, d)

iso_days(d) := to_number(trim_suffix(trim_prefix(d, "P"), "W")) * 7 if regex.match(`^P\d+W$`, d)

iso_days(d) := to_number(trim_suffix(trim_prefix(d, "P"), "M")) * 31 if regex.match(`^P\d+M$`, d)
