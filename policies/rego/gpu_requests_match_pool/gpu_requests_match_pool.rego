# METADATA
# title: GPU model servers request whole GPUs and tolerate the GPU pool's taint
# description: >-
#   A GPU cannot be shared safely between tenants by overcommitment, and a model server that
#   does not tolerate the GPU pool's taint never schedules (or lands on the wrong nodes). Every
#   InferenceService container that asks for nvidia.com/gpu requests exactly its limit, and
#   tolerates the nvidia.com/gpu taint of a GPU node pool of this plan (EKS node groups, AKS
#   agent pools, GKE node pools).
# custom:
#   id: MED-SRV-003
#   severity: medium
#   controls:
#     hipaa: ["164.308(a)(7)(ii)(E)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: []
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#     - aws:eks/nodeGroup:NodeGroup
#     - azure-native:containerservice:AgentPool
#     - gcp:container/nodePool:NodePool
#   remediation: >-
#     Set resources.requests["nvidia.com/gpu"] equal to resources.limits["nvidia.com/gpu"] and add
#     the toleration {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule} (MedInfra's
#     InferenceService takes both from the cluster's GPU pool).
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/gpu_cluster.py: NodePoolSpec.gpu / GpuCluster._node_group()"
#     azure:
#       - "components/azure/node_pools.py: NodePoolSpec.gpu / pool_properties()"
#     gcp:
#       - "components/gcp/gpu_cluster.py: NodePoolSpec.accelerator / GpuCluster._node_pool()"
#     k8s:
#       - "components/k8s/isvc_spec.py: IsvcInputs.gpu / IsvcInputs.gpu_node_selector / IsvcInputs.gpu_tolerations / render()"
package medinfra.rules.gpu_requests_match_pool

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:eks/nodeGroup:NodeGroup": {
		"/taints": "value",
	},
	"gcp:container/nodePool:NodePool": {
		"/nodeConfig/taints": "value",
	},
	"azure-native:containerservice:AgentPool": {
		"/nodeTaints": "value",
	},
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/spec/*/tolerations": "value",
		"/spec/*/model/resources": "value",
		"/spec/*/containers/*/resources": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

gpu := data.medinfra.lib.gpu_resource

effects := {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}

effect(e) := effects[e]

effect(e) := e if not effects[e]

# GPU taints of the plan's node pools, as {key, value, effect}.
pool_taints contains {"key": t.key, "value": object.get(data.medinfra.lib.obj(t), "value", ""), "effect": effect(t.effect)} if {
	some pool in data.medinfra.lib.of_type("aws:eks/nodeGroup:NodeGroup")
	some t in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(pool.props), "taints", [])))
	t.key == gpu
}

pool_taints contains {"key": t.key, "value": object.get(data.medinfra.lib.obj(t), "value", ""), "effect": effect(t.effect)} if {
	some pool in data.medinfra.lib.of_type("gcp:container/nodePool:NodePool")
	some t in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(pool.props), ["nodeConfig", "taints"], [])))
	t.key == gpu
}

pool_taints contains {"key": key, "value": value, "effect": eff} if {
	some pool in data.medinfra.lib.of_type("azure-native:containerservice:AgentPool")
	some text in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(pool.props), "nodeTaints", [])))
	[kv, eff] := split(text, ":")
	[key, value] := split(kv, "=")
	key == gpu
}

tolerates(toleration, taint) if {
	toleration.key == taint.key
	object.get(data.medinfra.lib.obj(toleration), "operator", "Equal") == "Exists"
	object.get(data.medinfra.lib.obj(toleration), "effect", taint.effect) == taint.effect
}

tolerates(toleration, taint) if {
	toleration.key == taint.key
	object.get(data.medinfra.lib.obj(toleration), "operator", "Equal") == "Equal"
	object.get(data.medinfra.lib.obj(toleration), "value", "") == taint.value
	object.get(data.medinfra.lib.obj(toleration), "effect", taint.effect) == taint.effect
}

tolerated(spec) if {
	count(pool_taints) > 0
	some taint in pool_taints
	some toleration in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "tolerations", [])))
	tolerates(toleration, taint)
}

tolerated(spec) if {
	count(pool_taints) == 0
	some toleration in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "tolerations", [])))
	toleration.key == gpu
}

gpu_components contains [isvc, component, spec, c] if {
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	some component, spec in data.medinfra.lib.items(object.get(data.medinfra.lib.obj(isvc.props), "spec", {}))
	is_object(spec)
	some c in data.medinfra.lib.items(array.concat([object.get(data.medinfra.lib.obj(spec), "model", {})], data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "containers", []))))
	some kind in ["limits", "requests"]
	c.resources[kind][gpu]
}

deny contains finding if {
	some [isvc, component, _, c] in gpu_components
	sprintf("%v", [object.get(data.medinfra.lib.obj(c), ["resources", "requests", gpu], "none")]) != sprintf("%v", [object.get(data.medinfra.lib.obj(c), ["resources", "limits", gpu], "none")])
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s %s GPU requests differ from limits", [isvc.name, component]))
}

deny contains finding if {
	some [isvc, component, spec, _] in gpu_components
	not tolerated(spec)
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s %s requests GPUs but does not tolerate the GPU pool's taint", [isvc.name, component]))
}
