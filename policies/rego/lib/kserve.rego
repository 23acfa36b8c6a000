# What KServe v0.20.0 adds to every model pod: the storage-initializer init container.
# Mirrors components/k8s/kserve_pod.py (read from kserve/kserve@v0.20.0): the chart renders
# ClusterStorageContainer "default" with securityContext = values kserve.storage.
# containerSecurityContext (Helm merges it over the chart's default), and KServe's pod webhook
# strategic-merges that container into the init container it injects. A plan without a KServe
# release gets KServe's Kustomize default, which has no securityContext at all (fail closed).
# Call by full path (data.medinfra.lib.kserve.storage_initializer), as with data.medinfra.lib.
package medinfra.lib.kserve

import rego.v1

# charts/kserve-resources/values.yaml @ v0.20.0, kserve.storage.containerSecurityContext.
chart_default_security := {
	"allowPrivilegeEscalation": false, "privileged": false, "runAsNonRoot": true,
	"capabilities": {"drop": ["ALL"]},
}

resources := {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m", "memory": "100Mi"}}

# KServe's kserve-resources chart, by name or pinned by digest (components/k8s/kserve_install.py;
# policies/checkov_bridge/k8s.py matches the same pattern).
kserve_resources_chart(chart) if regex.match(`/kserve-resources(@sha256:[0-9a-f]{64})?$`, chart)

releases contains r if {
	some r in data.medinfra.lib.of_type("kubernetes:helm.sh/v3:Release")
	kserve_resources_chart(object.get(r.props, "chart", ""))
}

# The securityContext a KServe release gives its storage initializer.
release_security(r) := object.union(chart_default_security, sc) if {
	sc := r.props.values.kserve.storage.containerSecurityContext
	is_object(sc)
} else := chart_default_security

# The init container of every model pod of this plan (one per KServe release; the unconfigured
# default when the plan installs none).
storage_initializers contains {"name": "storage-initializer", "resources": resources, "securityContext": release_security(r)} if {
	some r in releases
}

storage_initializers contains {"name": "storage-initializer", "resources": resources} if {
	count(releases) == 0
}

# The predictor pulls its weights through the storage initializer (pvc:// is mounted instead).
fetches_weights(predictor) if {
	uri := predictor.model.storageUri
	is_string(uri)
	not startswith(uri, "pvc://")
}

# Why a container is refused by Pod Security "restricted" on its own, without a pod-level
# securityContext to inherit (a ClusterStorageContainer is cluster-wide: it cannot count on one).
# The reasons are the API server's (k8s.io/pod-security-admission v0.33.9).
unrestricted(c) := {reason | some reason in reasons; fails(c, reason)}

reasons := [
	"allowPrivilegeEscalation != false", "unrestricted capabilities", "runAsNonRoot != true",
	"runAsUser=0", "seccompProfile", "privileged",
]

fails(c, "allowPrivilegeEscalation != false") if {
	not object.get(c, ["securityContext", "allowPrivilegeEscalation"], null) == false
}

fails(c, "unrestricted capabilities") if {
	not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])
}

fails(c, "unrestricted capabilities") if {
	some cap in object.get(c, ["securityContext", "capabilities", "add"], [])
	cap != "NET_BIND_SERVICE"
}

fails(c, "runAsNonRoot != true") if {
	not object.get(c, ["securityContext", "runAsNonRoot"], null) == true
}

fails(c, "runAsUser=0") if object.get(c, ["securityContext", "runAsUser"], null) == 0

fails(c, "seccompProfile") if {
	not object.get(c, ["securityContext", "seccompProfile", "type"], null) in {"RuntimeDefault", "Localhost"}
}

fails(c, "privileged") if object.get(c, ["securityContext", "privileged"], null) == true
