# METADATA
# title: Model pods are admitted under Pod Security "restricted", injected containers included
# description: >-
#   KServe injects a storage-initializer init container, which downloads the model weights, into
#   every model pod. If its security context is not restricted-compliant the API server refuses
#   every model pod in a restricted namespace (kserve/kserve#5373), and where the namespace is not
#   restricted the container runs with privilege escalation and default capabilities next to
#   patient data. Every KServe installation and ClusterStorageContainer of the plan gives the
#   storage initializer a security context that passes "restricted" on its own (it applies
#   cluster-wide and cannot count on a pod-level one), and no model namespace pins Pod Security
#   enforcement to a version older than the cluster's ("latest").
# custom:
#   id: MED-HRD-005
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(1)", "164.308(a)(1)(ii)(B)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["Kubernetes 5.2.1", "Kubernetes 5.2.6", "Kubernetes 5.2.7", "Kubernetes 5.2.9", "Kubernetes 5.7.2"]
#   resource_types:
#     - kubernetes:helm.sh/v3:Release
#     - kubernetes:serving.kserve.io/v1alpha1:ClusterStorageContainer
#     - kubernetes:core/v1:Namespace
#   remediation: >-
#     Set the KServe chart value kserve.storage.containerSecurityContext (or the
#     ClusterStorageContainer's spec.container.securityContext) to {allowPrivilegeEscalation:
#     false, runAsNonRoot: true, capabilities: {drop: [ALL]}, seccompProfile: {type:
#     RuntimeDefault}} (MedInfra's KServeInstall does this), and leave the model namespace's
#     pod-security.kubernetes.io/enforce-version unset or "latest".
#   waivable: true
#   satisfied_by:
#     k8s:
#       - "components/k8s/kserve_install.py: _kserve_values() / KServeInstall"
package medinfra.rules.storage_initializer_restricted

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:helm.sh/v3:Release": {
		"/values/kserve/storage/containerSecurityContext": "value",
	},
	"kubernetes:serving.kserve.io/v1alpha1:ClusterStorageContainer": {
		"/spec/container/securityContext": "value",
	},
	"kubernetes:core/v1:Namespace": {
		"/metadata/labels": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

deny contains finding if {
	some r in data.medinfra.lib.kserve.releases
	c := {"securityContext": data.medinfra.lib.kserve.release_security(r)}
	found := data.medinfra.lib.kserve.unrestricted(c)
	count(found) > 0
	finding := data.medinfra.lib.finding(r, sprintf("KServe release %s injects a storage-initializer that Pod Security restricted refuses: %s", [r.name, concat(", ", sort(found))]))
}

deny contains finding if {
	some r in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1alpha1:ClusterStorageContainer")
	found := data.medinfra.lib.kserve.unrestricted(object.get(r.props, ["spec", "container"], {}))
	count(found) > 0
	finding := data.medinfra.lib.finding(r, sprintf("ClusterStorageContainer %s injects a container that Pod Security restricted refuses: %s", [r.name, concat(", ", sort(found))]))
}

model_namespaces contains object.get(isvc.props.metadata, "namespace", "default") if {
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
}

deny contains finding if {
	some ns in data.medinfra.lib.of_type("kubernetes:core/v1:Namespace")
	ns.props.metadata.name in model_namespaces
	version := ns.props.metadata.labels["pod-security.kubernetes.io/enforce-version"]
	version != "latest"
	finding := data.medinfra.lib.finding(ns, sprintf("namespace %s runs model servers but pins Pod Security enforcement to %v instead of latest", [ns.props.metadata.name, version]))
}
