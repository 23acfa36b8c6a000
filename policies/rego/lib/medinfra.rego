# Shared helpers for MedInfra rules. Input: the Inventory (DESIGN.md).
# Call these functions by their full path (data.medinfra.lib.of_type(...)): the embedded engine
# resolves rules, but not functions, through an import alias.
package medinfra.lib

import rego.v1

by_urn := {r.urn: r | some r in input.resources}

# Resources grouped by type: one pass over the input, shared by every rule.
by_type[t] contains r if {
	some r in input.resources
	t := r.type
}

# Every planned resource of one type (the shared index's set itself: nothing is copied).
of_type(t) := found if {
	found := by_type[t]
} else := set()

# The resource of this plan that property `path` of `r` came from (undefined if none). A
# property attributed as a whole (the Inventory does so when a value was transformed on its way
# from its single dependency) counts for every path below it; the closest attribution wins.
referenced(r, path) := found if {
	found := by_urn[r.references[path]]
} else := by_urn[u] if {
	parts := split(path, "/")
	attributed := [r.references[p] |
		some n in numbers.range(2, count(parts) - 1)
		p := concat("/", array.slice(parts, 0, n))
		r.references[p]
	]
	u := attributed[count(attributed) - 1]
}

# URNs of the resources some property of `r` came from.
referenced_urns(r) := {u | some _, u in r.references}

config := c if {
	c := input.config
	is_object(c)
} else := {}

policy := p if {
	p := config.policy
	is_object(p)
} else := {}

is_prod if config.environment == "prod"

# PHI unless the stack says otherwise (the config default; constants.rego).
is_phi if object.get(config, "dataClassification", default_classification) == phi_classification

# Customer-managed key types of the three clouds.
cmk_types := {"aws:kms/key:Key", "azure-native:keyvault:Key", "gcp:kms/cryptoKey:CryptoKey"}

# What the gate computed from the organisation's policy-pack config (the medinfra-settings
# policy) with the stack's medinfra: keys on top (policies/settings.py): allowedRegions (absent
# when neither sets it), requiredTags {tags, labels}, trustedRegistries (image prefixes),
# trustedKeys and trustedIdentities (anchored regular expressions made from the globs),
# logRetentionDays. {} when the input carries none.
settings := s if {
	s := input.settings
	is_object(s)
} else := {}

# A key outside this plan the organisation trusts (settings.trustedKeys, which also holds the
# stack's medinfra:policy.allowedExternalKeys as exact matches).
trusted_key(value) if {
	is_string(value)
	some pattern in object.get(settings, "trustedKeys", [])
	regex.match(pattern, value)
}

# An identity outside this plan the organisation trusts (settings.trustedIdentities).
trusted_identity(value) if {
	is_string(value)
	some pattern in object.get(settings, "trustedIdentities", [])
	regex.match(pattern, value)
}

# The value at a JSON pointer (/a/0/b) of a resource's props; array steps are numbers.
value_at(r, path) := object.get(obj(r.props), [_pointer_step(s) | some s in split(trim_prefix(path, "/"), "/")], null)

_pointer_step(s) := to_number(s) if regex.match(`^[0-9]+$`, s)

_pointer_step(s) := replace(replace(s, "~1", "/"), "~0", "~") if not regex.match(`^[0-9]+$`, s)

# An image reference under a registry prefix the organisation trusts. The prefix ends at a path
# boundary: registry.example/org covers registry.example/org/app and registry.example/org@sha256:..,
# never registry.example/org-evil/app; a host prefix never covers another port (host:5000/..).
trusted_registry(image) if {
	is_string(image)
	some prefix in object.get(settings, "trustedRegistries", [])
	under_prefix(image, prefix)
}

under_prefix(image, prefix) if startswith(image, concat("", [prefix, "/"]))

under_prefix(image, prefix) if startswith(image, concat("", [prefix, "@"]))

under_prefix(image, prefix) if {
	contains(prefix, "/")
	startswith(image, concat("", [prefix, ":"]))
}

# Property `path` of `r` (whose value is `value`) is a customer-managed key of this plan, or a
# key outside it that the organisation trusts.
plan_key(r, path, value) if {
	value != null
	not data.medinfra.lib.is_unknown(value)
	data.medinfra.lib.referenced(r, path).type in cmk_types
}

# Not known yet: decided on provenance (unknowns.rego), as every unknown is.
plan_key(r, path, value) if {
	data.medinfra.lib.is_unknown(value)
	data.medinfra.lib.traced(r, path, "cmk")
}

plan_key(_, _, value) if data.medinfra.lib.trusted_key(value)

# S3 buckets of this plan that receive server access logs, by URN: the targetBucket of an
# aws.s3.BucketLogging, given by reference (the bucket's id or bucket output) or as the literal
# name the bucket is created with.
s3_access_log_targets contains urn if {
	some logging in of_type("aws:s3/bucketLogging:BucketLogging")
	urn := data.medinfra.lib.target(logging, "/targetBucket", object.get(logging.props, "targetBucket", null), {"aws:s3/bucket:Bucket"})
}

s3_access_log_targets contains bucket.urn if {
	some logging in of_type("aws:s3/bucketLogging:BucketLogging")
	name := logging.props.targetBucket
	is_string(name)
	not data.medinfra.lib.is_unknown(name)
	some bucket in of_type("aws:s3/bucket:Bucket")
	object.get(obj(bucket.props), "bucket", null) == name
}

# S3 buckets of this plan whose own server access logs an aws.s3.BucketLogging writes, by URN.
s3_logged_buckets contains urn if {
	some logging in of_type("aws:s3/bucketLogging:BucketLogging")
	logging.props.targetBucket
	urn := data.medinfra.lib.target(logging, "/bucket", object.get(logging.props, "bucket", null), {"aws:s3/bucket:Bucket"})
}

# The property `path` of `r` came from a resource of type `t` in this plan.
references_type(r, path, t) if data.medinfra.lib.referenced(r, path).type == t

# A finding.
finding(r, message) := {"urn": r.urn, "message": message}

# Addresses that mean "anyone on the internet".
internet := {"0.0.0.0/0", "::/0", "*", "Internet", "any", "Any"}

# A JSON policy document (IAM, key, bucket, repository policy); undefined if not valid JSON.
policy_doc(text) := json.unmarshal(text) if {
	is_string(text)
	json.is_valid(text)
}

policy_doc(doc) := doc if is_object(doc)

# The statements of a policy document, always as a list.
statements(doc) := s if {
	is_array(doc.Statement)
	s := doc.Statement
} else := [doc.Statement] if {
	is_object(doc.Statement)
}

# The elements of a collection; none for anything else (an "[unknown]" mark, null): iterating a
# string is an engine error. Unknown values are judged by unknowns.rego, never skipped.
items(x) := x if is_array(x)

items(x) := x if is_set(x)

items(x) := x if is_object(x)

items(x) := [] if {
	not is_array(x)
	not is_set(x)
	not is_object(x)
}

# An object; {} for anything else (an "[unknown]" mark): object.get on a string is an error.
obj(x) := x if is_object(x)

obj(x) := {} if not is_object(x)

# An array; [] for anything else (an "[unknown]" mark).
arr(x) := x if is_array(x)

arr(x) := [] if not is_array(x)

# A number, from a number or a numeric string; undefined for anything else ("[unknown]").
num(x) := x if is_number(x)

num(x) := to_number(x) if {
	is_string(x)
	regex.match(`^-?\d+(\.\d+)?$`, x)
}

as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

# A principal that means anyone ("*" or {"AWS": "*"}).
wildcard_principal(p) if p == "*"

wildcard_principal(p) if {
	some v in data.medinfra.lib.as_list(p.AWS)
	v == "*"
}

# An InferenceService whose plan shows no predictor (its provider returned nothing, or the spec
# is missing): what its pods run cannot be judged, which is a finding, never a pass.
no_predictor(isvc) if not is_object(object.get(isvc.props, ["spec", "predictor"], null))

# Where property `path` of `r` came from when another stack provided it (a stack reference's
# output, Inventory `stack_outputs`), for messages: ": <value>, read from stack S (output O)".
stack_origin(r, path) := sprintf(": %v, read from stack %s (output %v)", [object.get(obj(r.props), split(trim_prefix(path, "/"), "/"), "?"), origin.stack, object.get(origin, "output", null)]) if {
	origin := r.stack_outputs[path]
} else := ""
