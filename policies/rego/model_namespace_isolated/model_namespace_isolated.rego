# METADATA
# title: Model servers run in an isolated, restricted namespace
# description: >-
#   Model servers handle patient data and should be unable to reach, or be reached by, other
#   workloads except through the serving path. Every namespace that runs an InferenceService is
#   created by the plan with Pod Security Admission "restricted" enforced, and has a
#   default-deny NetworkPolicy for both ingress and egress.
# custom:
#   id: MED-HRD-004
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(1)", "164.312(e)(1)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["Kubernetes 5.2.1", "Kubernetes 5.3.2"]
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#     - kubernetes:core/v1:Namespace
#     - kubernetes:networking.k8s.io/v1:NetworkPolicy
#   remediation: >-
#     Create the namespace with the label pod-security.kubernetes.io/enforce=restricted and a
#     NetworkPolicy with podSelector {} and policyTypes [Ingress, Egress] and no rules, then allow
#     only what serving needs (MedInfra's KServeInstall does this).
#   waivable: true
#   satisfied_by:
#     k8s:
#       - "components/k8s/kserve_install.py: KServeInstallArgs.models_namespace / KServeInstall / KServeInstall._network_policies()"
package medinfra.rules.model_namespace_isolated

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:core/v1:Namespace": {
		"/metadata/name": "value",
		"/metadata/labels": "value",
	},
	"kubernetes:networking.k8s.io/v1:NetworkPolicy": {
		"/metadata/namespace": "value",
		"/spec": "value",
	},
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/metadata/namespace": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

# Namespaces of the plan by name (a set per name: two clusters may each have one).
namespaces[name] contains ns if {
	some ns in data.medinfra.lib.of_type("kubernetes:core/v1:Namespace")
	name := ns.props.metadata.name
}

restricted(ns) if ns.props.metadata.labels["pod-security.kubernetes.io/enforce"] == "restricted"

default_deny contains value if {
	some p in data.medinfra.lib.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
	p.props.spec.podSelector == {}
	{"Ingress", "Egress"} == {t | some t in data.medinfra.lib.items(p.props.spec.policyTypes)}
	count(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(p.props.spec), "ingress", []))) == 0
	count(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(p.props.spec), "egress", []))) == 0
	value := object.get(data.medinfra.lib.obj(p.props.metadata), "namespace", "default")
}

model_namespaces contains [isvc, object.get(data.medinfra.lib.obj(isvc.props.metadata), "namespace", "default")] if {
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
}

deny contains finding if {
	some [isvc, ns] in model_namespaces
	not namespaces[ns]
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s runs in namespace %s, which this plan does not create with Pod Security Admission", [isvc.name, ns]))
}

deny contains finding if {
	some [_, name] in model_namespaces
	some ns in data.medinfra.lib.items(namespaces[name])
	not restricted(ns)
	finding := data.medinfra.lib.finding(ns, sprintf("namespace %s runs model servers but does not enforce the restricted Pod Security Standard", [name]))
}

deny contains finding if {
	some [isvc, ns] in model_namespaces
	not ns in default_deny
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s runs in namespace %s, which has no default-deny NetworkPolicy", [isvc.name, ns]))
}
