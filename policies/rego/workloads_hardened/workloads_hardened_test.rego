package medinfra.rules.workloads_hardened_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.workloads_hardened as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

model_context(patch) := {"isvc": {"props": {"spec": {"predictor": {"model": {"securityContext": patch}}}}}}

test_compliant_plan_passes if {
	found(fx.kserve) == set()
}

test_privileged_model_server_fails if {
	found(object.union(fx.kserve, model_context({"privileged": true}))) == {fx.kserve.isvc.urn}
}

test_model_server_privilege_escalation_fails if {
	found(object.union(fx.kserve, model_context({"allowPrivilegeEscalation": true}))) == {fx.kserve.isvc.urn}
}

test_model_server_writable_root_fails if {
	found(object.union(fx.kserve, model_context({"readOnlyRootFilesystem": false}))) == {fx.kserve.isvc.urn}
}

test_model_server_capabilities_not_dropped_fails if {
	found(json.remove(fx.kserve, ["isvc/props/spec/predictor/model/securityContext/capabilities"])) == {fx.kserve.isvc.urn}
}

test_model_server_security_context_omitted_fails if {
	found(json.remove(fx.kserve, ["isvc/props/spec/predictor/model/securityContext"])) == {fx.kserve.isvc.urn}
}

test_model_server_limits_omitted_fails if {
	found(json.remove(fx.kserve, ["isvc/props/spec/predictor/model/resources/limits"])) == {fx.kserve.isvc.urn}
}

test_root_model_server_fails if {
	plan := json.remove(fx.kserve, ["isvc/props/spec/predictor/securityContext/runAsNonRoot", "isvc/props/spec/predictor/model/securityContext/runAsNonRoot"])
	found(plan) == {fx.kserve.isvc.urn}
}

test_predictor_host_network_fails if {
	found(object.union(fx.kserve, {"isvc": {"props": {"spec": {"predictor": {"hostNetwork": true}}}}})) == {fx.kserve.isvc.urn}
}

test_deployment_host_path_fails if {
	volumes := [{"name": "host", "hostPath": {"path": "/"}}]
	plan := object.union(fx.kserve, {"deployment": {"props": {"spec": {"template": {"spec": {"volumes": volumes}}}}}})
	found(plan) == {fx.kserve.deployment.urn}
}

test_deployment_container_security_context_omitted_fails if {
	plan := object.union(fx.kserve, {"deployment": {"props": {"spec": {"template": {"spec": {"containers": [{"name": "x", "image": "r@sha256:1"}]}}}}}})
	found(plan) == {fx.kserve.deployment.urn}
}

storage_context(patch) := {"kserve-release": {"props": {"values": {"kserve": {"storage": {"containerSecurityContext": patch}}}}}}

test_storage_initializer_security_context_removed_fails if {
	plan := json.remove(fx.kserve, ["kserve-release/props/values/kserve/storage/containerSecurityContext"])
	inp := data.medinfra.fixtures.inventory(plan)
	messages := {f.message | some f in rule.deny} with input as inp
	messages == {"kubernetes:serving.kserve.io/v1beta1:InferenceService isvc container storage-initializer has a writable root filesystem"}
}

test_storage_initializer_privilege_escalation_fails if {
	found(object.union(fx.kserve, storage_context({"allowPrivilegeEscalation": true}))) == {fx.kserve.isvc.urn}
}

# Without a KServe release in the plan, the cluster's storage initializer is KServe's unconfigured
# default (no securityContext at all).
test_storage_initializer_without_kserve_release_fails if {
	plan := object.remove(fx.kserve, ["kserve-release"])
	inp := data.medinfra.fixtures.inventory(plan)
	messages := {f.message | some f in rule.deny} with input as inp
	messages == {"kubernetes:serving.kserve.io/v1beta1:InferenceService isvc container storage-initializer does not drop ALL capabilities, has a writable root filesystem, is privileged, may escalate privileges"}
}

test_model_from_a_pvc_gets_no_storage_initializer if {
	plan := object.union(object.remove(fx.kserve, ["kserve-release"]), {"isvc": {"props": {"spec": {"predictor": {"model": {"storageUri": "pvc://weights/chest-xray"}}}}}})
	found(plan) == set()
}

# Issue 15: a privileged InferenceService whose outputs are {} (its provider returned nothing)
# passed. With nothing to judge, it fails; so does an unknown security context.
test_isvc_without_outputs_fails if {
	found(json.remove(fx.kserve, ["isvc/props/spec"])) == {fx.kserve.isvc.urn}
	found(json.remove(fx.kserve, ["isvc/props"])) == {fx.kserve.isvc.urn}
}

test_isvc_security_context_unknown_fails if {
	plan := object.union(fx.kserve, object.union(model_context({"privileged": "[unknown]"}), {"isvc": {"unknowns": ["/spec/predictor/model/securityContext/privileged"]}}))
	found(plan) == {fx.kserve.isvc.urn}
}

test_deployment_without_pod_template_fails if {
	found(json.remove(fx.kserve, ["deployment/props/spec/template"])) == {fx.kserve.deployment.urn}
}
