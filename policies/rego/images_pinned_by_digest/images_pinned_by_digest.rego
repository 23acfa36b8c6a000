# METADATA
# title: Images are pinned by digest from this plan's registry; charts are pinned by version
# description: >-
#   A tag can be moved to different code after review; a digest cannot. Model-server images of
#   every InferenceService are referenced by sha256 digest and come from this plan's registry
#   (ECR, Azure Container Registry or Artifact Registry), so they are encrypted, private and
#   scanned, or from a registry outside the plan that the organisation trusts
#   (trustedRegistries of the medinfra-settings policy in the policy-pack config: image
#   prefixes such as 123456789012.dkr.ecr.eu-central-1.amazonaws.com/platform, which end at a
#   path boundary), still by digest. So does KServe's storage initializer, the init container
#   that fetches the weights into every model pod (set by the KServe chart's kserve.storage
#   values). Other workloads' images are referenced by digest. Helm releases pin an exact chart
#   version.
# custom:
#   id: MED-HRD-003
#   severity: high
#   controls:
#     hipaa: ["164.312(c)(1)", "164.308(a)(1)(ii)(B)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["Kubernetes 5.5.1"]
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#     - kubernetes:core/v1:Pod
#     - kubernetes:apps/v1:Deployment
#     - kubernetes:apps/v1:StatefulSet
#     - kubernetes:apps/v1:DaemonSet
#     - kubernetes:batch/v1:Job
#     - kubernetes:helm.sh/v3:Release
#   remediation: >-
#     Set the model-server image to <this stack's registry>@sha256:<digest> (medinfra:models[].
#     imageDigest) and KServe's storage initializer to its mirror there (medinfra:serving.
#     storageInitializerDigest), or pin by digest an image of a registry the organisation
#     trusts (trustedRegistries in the policy-pack config); reference other images as
#     <repository>@sha256:<digest>; set an exact chart version on every Helm release.
#   waivable: true
#   satisfied_by:
#     k8s:
#       - "components/k8s/inference_service.py: InferenceServiceArgs.image"
#       - "components/k8s/isvc_spec.py: IsvcInputs.image / render()"
#       - "components/k8s/kserve_install.py: KServeInstallArgs.storage_initializer / _kserve_values()"
package medinfra.rules.images_pinned_by_digest

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/spec/*/model/image": "registry",
		"/spec/*/containers/*/image": "value",
	},
	"kubernetes:core/v1:Pod": {
		"/spec/containers/*/image": "value",
		"/spec/initContainers/*/image": "value",
	},
	"kubernetes:helm.sh/v3:Release": {
		"/chart": "value",
		"/version": "value",
		"/values/kserve/storage/image": "registry",
		"/values/kserve/storage/tag": "value",
	},
	"kubernetes:apps/v1:Deployment": {
		"/spec/template/spec/containers/*/image": "value",
		"/spec/template/spec/initContainers/*/image": "value",
	},
	"kubernetes:apps/v1:StatefulSet": {
		"/spec/template/spec/containers/*/image": "value",
		"/spec/template/spec/initContainers/*/image": "value",
	},
	"kubernetes:apps/v1:DaemonSet": {
		"/spec/template/spec/containers/*/image": "value",
		"/spec/template/spec/initContainers/*/image": "value",
	},
	"kubernetes:batch/v1:Job": {
		"/spec/template/spec/containers/*/image": "value",
		"/spec/template/spec/initContainers/*/image": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

registry_types := {"aws:ecr/repository:Repository", "azure-native:containerregistry:Registry", "gcp:artifactregistry/repository:Repository"}

by_digest(image) if regex.match(`^[^@\s]+@sha256:[0-9a-f]{64}$`, image)

deny contains finding if {
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	some component, spec in data.medinfra.lib.items(object.get(data.medinfra.lib.obj(isvc.props), "spec", {}))
	is_object(spec.model)
	not from_plan_registry(isvc, component, spec.model)
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s %s model server image %v is not pinned by digest in this plan's registry or a trusted one", [isvc.name, component, object.get(data.medinfra.lib.obj(spec.model), "image", "(serving runtime default)")]))
}

from_plan_registry(isvc, component, model) if {
	data.medinfra.lib.is_unknown(model.image)
	data.medinfra.lib.traced(isvc, sprintf("/spec/%s/model/image", [component]), "registry")
}

from_plan_registry(isvc, component, model) if {
	by_digest(model.image)
	data.medinfra.lib.referenced(isvc, sprintf("/spec/%s/model/image", [component])).type in registry_types
}

# A registry outside the plan that the organisation trusts, by digest.
from_plan_registry(_, _, model) if {
	by_digest(model.image)
	data.medinfra.lib.trusted_registry(model.image)
}

workload_containers contains [r, c] if {
	some r in data.medinfra.lib.of_type("kubernetes:core/v1:Pod")
	some c in data.medinfra.lib.items(array.concat(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(r.props.spec), "containers", [])), data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(r.props.spec), "initContainers", []))))
}

workload_containers contains [r, c] if {
	some t in {"kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:batch/v1:Job"}
	some r in data.medinfra.lib.of_type(t)
	spec := r.props.spec.template.spec
	some c in data.medinfra.lib.items(array.concat(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "containers", [])), data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "initContainers", []))))
}

workload_containers contains [r, c] if {
	some r in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	some _, spec in data.medinfra.lib.items(r.props.spec)
	is_object(spec)
	some c in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(spec), "containers", [])))
}

deny contains finding if {
	some [r, c] in workload_containers
	not by_digest(object.get(data.medinfra.lib.obj(c), "image", ""))
	finding := data.medinfra.lib.finding(r, sprintf("%s %s container %v uses image %v, not pinned by digest", [r.type, r.name, object.get(data.medinfra.lib.obj(c), "name", "(unnamed)"), object.get(data.medinfra.lib.obj(c), "image", "")]))
}

# KServe injects the storage initializer into every model pod from its chart's values.
deny contains finding if {
	count(data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")) > 0
	some release in data.medinfra.lib.kserve.releases
	not storage_initializer_pinned(release)
	storage := object.get(data.medinfra.lib.obj(release.props), ["values", "kserve", "storage"], {})
	finding := data.medinfra.lib.finding(release, sprintf("Helm release %s runs KServe's storage initializer as %v:%v, not pinned by digest in this plan's registry or a trusted one", [release.name, object.get(data.medinfra.lib.obj(storage), "image", "(chart default)"), object.get(data.medinfra.lib.obj(storage), "tag", "(chart default)")]))
}

storage_initializer_pinned(release) if {
	storage := release.props.values.kserve.storage
	data.medinfra.lib.is_unknown(storage.image)
	regex.match(`^[^@\s]*@sha256:[0-9a-f]{64}$`, storage.tag)
	data.medinfra.lib.traced(release, "/values/kserve/storage/image", "registry")
}

storage_initializer_pinned(release) if {
	storage := release.props.values.kserve.storage
	by_digest(sprintf("%s:%s", [storage.image, storage.tag]))
	data.medinfra.lib.referenced(release, "/values/kserve/storage/image").type in registry_types
}

storage_initializer_pinned(release) if {
	storage := release.props.values.kserve.storage
	image := sprintf("%s:%s", [storage.image, storage.tag])
	by_digest(image)
	data.medinfra.lib.trusted_registry(image)
}

exact_version(v) if regex.match(`^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$`, v)

deny contains finding if {
	some release in data.medinfra.lib.of_type("kubernetes:helm.sh/v3:Release")
	not exact_version(object.get(data.medinfra.lib.obj(release.props), "version", ""))
	finding := data.medinfra.lib.finding(release, sprintf("Helm release %s does not pin an exact chart version (%v)", [release.name, object.get(data.medinfra.lib.obj(release.props), "version", "none")]))
}

deny contains finding if {
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	data.medinfra.lib.no_predictor(isvc)
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s has no predictor in the plan, so the image it serves cannot be verified", [isvc.name]))
}
