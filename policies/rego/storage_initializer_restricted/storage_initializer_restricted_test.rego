package medinfra.rules.storage_initializer_restricted_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.storage_initializer_restricted as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

messages(plan) := m if {
	inp := data.medinfra.fixtures.inventory(plan)
	m := {f.message | some f in rule.deny} with input as inp
}

storage_context(patch) := {"kserve-release": {"props": {"values": {"kserve": {"storage": {"containerSecurityContext": patch}}}}}}

context_path := "kserve-release/props/values/kserve/storage/containerSecurityContext"

csc_context := {
	"allowPrivilegeEscalation": false, "runAsNonRoot": true,
	"capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"},
}

csc(context) := res("kubernetes:serving.kserve.io/v1alpha1:ClusterStorageContainer", "csc", {
	"apiVersion": "serving.kserve.io/v1alpha1", "kind": "ClusterStorageContainer",
	"metadata": {"name": "medinfra"},
	"spec": {"container": {"name": "storage-initializer", "image": "r@sha256:1", "securityContext": context}, "workloadType": "initContainer", "supportedUriFormats": [{"prefix": "s3://"}]},
})

res(type, name, props) := {
	"urn": sprintf("urn:pulumi:test::medinfra::%s::%s", [type, name]), "type": type, "name": name,
	"provider": "default", "parent": null, "dependencies": [], "props": props, "unknowns": [],
	"secrets": [], "references": {},
}

test_compliant_plan_passes if {
	found(fx.kserve) == set()
}

test_storage_initializer_privilege_escalation_fails if {
	found(object.union(fx.kserve, storage_context({"allowPrivilegeEscalation": true}))) == {fx.kserve["kserve-release"].urn}
}

test_storage_initializer_capability_added_fails if {
	found(object.union(fx.kserve, storage_context({"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}))) == {fx.kserve["kserve-release"].urn}
}

test_storage_initializer_net_bind_service_passes if {
	found(object.union(fx.kserve, storage_context({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}))) == set()
}

test_storage_initializer_as_root_fails if {
	found(object.union(fx.kserve, storage_context({"runAsUser": 0}))) == {fx.kserve["kserve-release"].urn}
}

test_storage_initializer_unconfined_seccomp_fails if {
	found(object.union(fx.kserve, storage_context({"seccompProfile": {"type": "Unconfined"}}))) == {fx.kserve["kserve-release"].urn}
}

# The chart's own default (kserve-resources v0.20.0) sets no seccomp profile: refused.
test_storage_security_context_omitted_fails_on_the_chart_default if {
	plan := json.remove(fx.kserve, [context_path])
	found(plan) == {fx.kserve["kserve-release"].urn}
	messages(plan) == {"KServe release kserve-release injects a storage-initializer that Pod Security restricted refuses: seccompProfile"}
}

# Helm's null deletes the chart default: nothing of restricted is left.
test_storage_security_context_nulled_fails_with_the_api_servers_reasons if {
	plan := object.union(fx.kserve, storage_context({"allowPrivilegeEscalation": null, "runAsNonRoot": null, "capabilities": null, "seccompProfile": null}))
	messages(plan) == {"KServe release kserve-release injects a storage-initializer that Pod Security restricted refuses: allowPrivilegeEscalation != false, runAsNonRoot != true, seccompProfile, unrestricted capabilities"}
}

test_compliant_cluster_storage_container_passes if {
	found(object.union(fx.kserve, {"csc": csc(csc_context)})) == set()
}

test_cluster_storage_container_without_security_context_fails if {
	plan := json.remove(object.union(fx.kserve, {"csc": csc(csc_context)}), ["csc/props/spec/container/securityContext"])
	found(plan) == {plan.csc.urn}
}

test_model_namespace_pinned_to_an_old_version_fails if {
	plan := object.union(fx.kserve, {"namespace": {"props": {"metadata": {"labels": {"pod-security.kubernetes.io/enforce-version": "v1.22"}}}}})
	found(plan) == {fx.kserve.namespace.urn}
}

test_model_namespace_pinned_to_latest_passes if {
	plan := object.union(fx.kserve, {"namespace": {"props": {"metadata": {"labels": {"pod-security.kubernetes.io/enforce-version": "latest"}}}}})
	found(plan) == set()
}
