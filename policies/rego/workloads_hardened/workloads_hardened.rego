# METADATA
# title: Workloads run unprivileged, read-only and with resource limits
# description: >-
#   A container that runs as root, privileged, or with host access can take over its node and
#   every other patient workload on it. Every container of an InferenceService, Pod, Deployment,
#   StatefulSet, DaemonSet or Job (for an InferenceService also the storage-initializer init
#   container KServe injects, as this plan's KServe release configures it) runs as non-root,
#   not privileged, without privilege escalation, with a read-only root filesystem, all
#   capabilities dropped and CPU/memory limits set; no pod uses the host network, PID or IPC
#   namespaces or hostPath volumes.
# custom:
#   id: MED-HRD-002
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(1)", "164.308(a)(1)(ii)(B)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["Kubernetes 5.2.2", "Kubernetes 5.2.3", "Kubernetes 5.2.4", "Kubernetes 5.2.5", "Kubernetes 5.2.7", "Kubernetes 5.2.8", "Kubernetes 5.2.9", "Kubernetes 5.2.12"]
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#     - kubernetes:core/v1:Pod
#     - kubernetes:apps/v1:Deployment
#     - kubernetes:apps/v1:StatefulSet
#     - kubernetes:apps/v1:DaemonSet
#     - kubernetes:batch/v1:Job
#   remediation: >-
#     Give each container securityContext {runAsNonRoot: true, privileged: false,
#     allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
#     (a pod-level runAsNonRoot also counts) and resources.limits for cpu and memory; mount an
#     emptyDir for scratch space instead of a hostPath. MedInfra's InferenceService does this.
#   waivable: true
#   satisfied_by:
#     k8s:
#       - "components/k8s/isvc_spec.py: render()"
#       - "components/k8s/inference_service.py: InferenceServiceArgs.spec / InferenceService"
package medinfra.rules.workloads_hardened

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/spec/*/securityContext": "value",
		"/spec/*/hostNetwork": "value",
		"/spec/*/hostPID": "value",
		"/spec/*/hostIPC": "value",
		"/spec/*/volumes": "value",
		"/spec/*/containers/*/securityContext": "value",
		"/spec/*/containers/*/resources/limits": "value",
		"/spec/*/model/securityContext": "value",
		"/spec/*/model/resources/limits": "value",
	},
	"kubernetes:core/v1:Pod": {
		"/spec/securityContext": "value",
		"/spec/hostNetwork": "value",
		"/spec/hostPID": "value",
		"/spec/hostIPC": "value",
		"/spec/volumes": "value",
		"/spec/containers/*/securityContext": "value",
		"/spec/containers/*/resources/limits": "value",
	},
	"kubernetes:apps/v1:Deployment": {
		"/spec/template/spec/securityContext": "value",
		"/spec/template/spec/hostNetwork": "value",
		"/spec/template/spec/hostPID": "value",
		"/spec/template/spec/hostIPC": "value",
		"/spec/template/spec/volumes": "value",
		"/spec/template/spec/containers/*/securityContext": "value",
		"/spec/template/spec/containers/*/resources/limits": "value",
	},
	"kubernetes:apps/v1:StatefulSet": {
		"/spec/template/spec/securityContext": "value",
		"/spec/template/spec/hostNetwork": "value",
		"/spec/template/spec/hostPID": "value",
		"/spec/template/spec/hostIPC": "value",
		"/spec/template/spec/volumes": "value",
		"/spec/template/spec/containers/*/securityContext": "value",
		"/spec/template/spec/containers/*/resources/limits": "value",
	},
	"kubernetes:apps/v1:DaemonSet": {
		"/spec/template/spec/securityContext": "value",
		"/spec/template/spec/hostNetwork": "value",
		"/spec/template/spec/hostPID": "value",
		"/spec/template/spec/hostIPC": "value",
		"/spec/template/spec/volumes": "value",
		"/spec/template/spec/containers/*/securityContext": "value",
		"/spec/template/spec/containers/*/resources/limits": "value",
	},
	"kubernetes:batch/v1:Job": {
		"/spec/template/spec/securityContext": "value",
		"/spec/template/spec/hostNetwork": "value",
		"/spec/template/spec/hostPID": "value",
		"/spec/template/spec/hostIPC": "value",
		"/spec/template/spec/volumes": "value",
		"/spec/template/spec/containers/*/securityContext": "value",
		"/spec/template/spec/containers/*/resources/limits": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

workload_types := {"kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:batch/v1:Job"}

# (resource, pod spec, containers) for every workload of the plan.
pods contains [r, spec, data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "containers", [])) ] if {
	some r in data.medinfra.lib.of_type("kubernetes:core/v1:Pod")
	spec := r.props.spec
}

pods contains [r, spec, data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "containers", []))] if {
	some t in workload_types
	some r in data.medinfra.lib.of_type(t)
	spec := r.props.spec.template.spec
}

# An InferenceService component is a pod spec whose main container is `model` (or `containers`);
# KServe adds the storage initializer to the predictor's pod (data.medinfra.lib.kserve).
pods contains [r, spec, array.concat(array.concat([object.get(data.medinfra.lib.obj(spec), "model", {})], data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "containers", []))), injected(component, spec))] if {
	some r in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	some component, spec in data.medinfra.lib.items(r.props.spec)
	is_object(spec)
	is_object(spec.model)
}

storage_initializers := [c | some c in data.medinfra.lib.kserve.storage_initializers]

injected(component, spec) := storage_initializers if {
	component == "predictor"
	data.medinfra.lib.kserve.fetches_weights(spec)
} else := []

pods contains [r, spec, data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "containers", []))] if {
	some r in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	some _, spec in data.medinfra.lib.items(r.props.spec)
	is_object(spec)
	not spec.model
}

non_root(spec, c) if c.securityContext.runAsNonRoot == true

non_root(spec, c) if {
	spec.securityContext.runAsNonRoot == true
	not c.securityContext.runAsNonRoot == false
}

checks := [
	"runs as root (runAsNonRoot)", "is privileged", "may escalate privileges",
	"has a writable root filesystem", "does not drop ALL capabilities", "has no CPU and memory limits",
]

failing(spec, c, "runs as root (runAsNonRoot)") if not non_root(spec, c)

failing(_, c, "is privileged") if not c.securityContext.privileged == false

failing(_, c, "may escalate privileges") if not c.securityContext.allowPrivilegeEscalation == false

failing(_, c, "has a writable root filesystem") if not c.securityContext.readOnlyRootFilesystem == true

failing(_, c, "does not drop ALL capabilities") if not "ALL" in data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(c), ["securityContext", "capabilities", "drop"], []))

failing(_, c, "has no CPU and memory limits") if {
	some k in ["cpu", "memory"]
	not c.resources.limits[k]
}

problems(spec, c) := {m | some m in checks; failing(spec, c, m)}

deny contains finding if {
	some [r, spec, containers] in pods
	some c in containers
	found := problems(spec, c)
	count(found) > 0
	finding := data.medinfra.lib.finding(r, sprintf("%s %s container %v %s", [r.type, r.name, object.get(data.medinfra.lib.obj(c), "name", "(unnamed)"), concat(", ", sort(found))]))
}

deny contains finding if {
	some [r, spec, _] in pods
	some host in ["hostNetwork", "hostPID", "hostIPC"]
	spec[host] == true
	finding := data.medinfra.lib.finding(r, sprintf("%s %s shares the node's namespaces (%s)", [r.type, r.name, host]))
}

deny contains finding if {
	some [r, spec, _] in pods
	some v in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "volumes", [])))
	v.hostPath
	finding := data.medinfra.lib.finding(r, sprintf("%s %s mounts a hostPath volume (%v)", [r.type, r.name, object.get(data.medinfra.lib.obj(v), "name", "")]))
}

deny contains finding if {
	some r in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	data.medinfra.lib.no_predictor(r)
	finding := data.medinfra.lib.finding(r, sprintf("InferenceService %s has no predictor pod spec in the plan, so its pods' security context cannot be verified", [r.name]))
}

deny contains finding if {
	some t in workload_types
	some r in data.medinfra.lib.of_type(t)
	not is_object(object.get(data.medinfra.lib.obj(r.props), ["spec", "template", "spec"], null))
	finding := data.medinfra.lib.finding(r, sprintf("%s %s has no pod template in the plan, so its pods' security context cannot be verified", [r.type, r.name]))
}

deny contains finding if {
	some r in data.medinfra.lib.of_type("kubernetes:core/v1:Pod")
	not is_object(object.get(data.medinfra.lib.obj(r.props), "spec", null))
	finding := data.medinfra.lib.finding(r, sprintf("Pod %s has no spec in the plan, so its security context cannot be verified", [r.name]))
}
