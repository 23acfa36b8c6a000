"""The pod KServe really runs for our InferenceService (components/k8s/kserve_pod.py): the
injected storage initializer, judged by Pod Security "restricted", Checkov and MED-HRD-002."""

from __future__ import annotations

import copy

import pytest
from medinfra.components.k8s.admission import kserve_rejections
from medinfra.components.k8s.isvc_spec import IsvcInputs, render
from medinfra.components.k8s.kserve_install import KServeInstallArgs, _kserve_values
from medinfra.components.k8s.kserve_pod import (
    UNCONFIGURED_CSC,
    chart_storage_container,
    predictor_pod,
    storage_initializer,
)
from medinfra.components.k8s.pss import forbidden_message, restricted_violations
from medinfra.policies.checkov_bridge.k8s import KSERVE_RESOURCES_CHART, to_manifests
from medinfra.policies.inventory import InventoryResource

from tests import checkov_worker
from tests.kserve_crd import crd_errors

ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
RELEASE = "kubernetes:helm.sh/v3:Release"
TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
# kserve/kserve#5373: the API server's refusal of a model pod in a restricted namespace.
ISSUE_5373 = (
    'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container '
    '"storage-initializer" must set securityContext.allowPrivilegeEscalation=false), '
    'unrestricted capabilities (container "storage-initializer" must set '
    'securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container '
    '"storage-initializer" must set securityContext.runAsNonRoot=true)')


def _manifest(**kw) -> dict:
    base = dict(name="chest-xray", namespace="models", version="1", sha256="a" * 64,
                model_format="pytorch", runtime=None, storage_uri="s3://b/chest-xray/1/",
                service_account="chest-xray", mode="Standard", cpu="1", memory="8Gi", gpu=1,
                min_replicas=2, max_replicas=4, gpu_node_selector={"nvidia.com/gpu.present": "1"},
                gpu_tolerations=(TOLERATION,))
    manifest = render(IsvcInputs(**{**base, **kw}))
    manifest["spec"]["predictor"]["model"]["image"] = "r/models@sha256:" + "b" * 64
    return manifest


def _values() -> dict:
    return _kserve_values(KServeInstallArgs(gpu_node_selector={}, gpu_tolerations=(),
                                            storage_initializer=("r/si", "sha256:" + "c" * 64),
                                            chart_digests=("sha256:" + "d" * 64,) * 2))


def test_our_install_gives_the_storage_initializer_a_restricted_context_of_its_own():
    container = storage_initializer("s3://b/m/", chart_storage_container(_values()))
    alone = {"metadata": {}, "spec": {"initContainers": [container], "containers": []}}
    assert restricted_violations(alone) == []
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["image"] == "r/si:v0.20.0@sha256:" + "c" * 64


def test_the_model_pod_with_its_storage_initializer_passes_restricted():
    pod = predictor_pod(_manifest(), chart_storage_container(_values()))
    assert [c["name"] for c in pod["spec"]["initContainers"]] == ["storage-initializer"]
    assert [c["name"] for c in pod["spec"]["containers"]] == ["kserve-container"]
    assert forbidden_message(pod) is None


def test_the_unconfigured_storage_initializer_fails_restricted_with_the_api_servers_reasons():
    # The pod of kserve/kserve#5373: KServe's defaults, a pod-level seccomp profile only.
    isvc = _manifest()
    isvc["spec"]["predictor"]["securityContext"] = {"seccompProfile": {"type": "RuntimeDefault"}}
    isvc["spec"]["predictor"]["model"]["securityContext"] = {
        "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True}
    assert forbidden_message(predictor_pod(isvc, UNCONFIGURED_CSC)) == ISSUE_5373


def test_our_pod_with_the_unconfigured_storage_initializer_is_still_refused():
    # Our pod-level runAsNonRoot covers the third reason; the other two remain.
    reasons = [r for r, _ in restricted_violations(predictor_pod(_manifest(), UNCONFIGURED_CSC))]
    assert reasons == ["allowPrivilegeEscalation != false", "unrestricted capabilities"]


def test_chart_values_reach_the_cluster_storage_container_and_null_removes_them():
    assert chart_storage_container(_values())["container"]["securityContext"][
        "seccompProfile"] == {"type": "RuntimeDefault"}
    # The chart's own default (no override) has no seccomp profile and a writable root.
    default = chart_storage_container({})["container"]["securityContext"]
    assert "seccompProfile" not in default and "readOnlyRootFilesystem" not in default
    nulled = {"kserve": {"storage": {"containerSecurityContext": None}}}
    assert "securityContext" not in chart_storage_container(nulled)["container"]


def test_payload_logging_adds_the_agent_with_the_model_servers_context():
    isvc = _manifest()
    isvc["spec"]["predictor"]["logger"] = {"mode": "all", "url": "https://logs.example/"}
    pod = predictor_pod(isvc, chart_storage_container(_values()))
    agent = pod["spec"]["containers"][1]
    assert agent["name"] == "agent"
    assert agent["securityContext"] == pod["spec"]["containers"][0]["securityContext"]
    assert forbidden_message(pod) is None


def test_a_pvc_model_gets_no_storage_initializer():
    pod = predictor_pod(_manifest(storage_uri="pvc://weights/m/"), UNCONFIGURED_CSC)
    assert "initContainers" not in pod["spec"]


def _resource(name: str, type_: str, props: dict) -> dict:
    return InventoryResource(urn=f"urn:pulumi:dev::demo::{type_}::{name}", type=type_, name=name,
                             provider="kubernetes", parent=None, props=props,
                             references={}).to_dict()


def _release(values: dict) -> dict:
    return _resource("kserve", RELEASE, {
        "chart": "oci://ghcr.io/kserve/charts/kserve-resources", "version": "v0.20.0",
        "values": values})


def test_checkovs_pod_of_the_service_carries_the_storage_initializer():
    plan = to_manifests([_release(_values()), _resource("m", ISVC, _manifest())])
    (deployment,) = [d for d in plan.documents if d["kind"] == "Deployment"]
    (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
    assert init["securityContext"] == chart_storage_container(_values())["container"][
        "securityContext"]


def test_checkov_finds_the_storage_initializer_once_its_security_context_is_removed():
    isvc = _resource("m", ISVC, _manifest())
    failed = {r.check_id for r in checkov_worker.scan([_release(_values()), isvc]).failed}
    removed = copy.deepcopy(_values())
    del removed["kserve"]["storage"]["containerSecurityContext"]
    on_default = {r.check_id for r in checkov_worker.scan([_release(removed), isvc]).failed}
    unconfigured = {r.check_id for r in checkov_worker.scan([isvc], timeout_s=300).failed}
    assert "CKV_K8S_22" not in failed and "CKV_K8S_20" not in failed
    assert on_default - failed == {"CKV_K8S_22"}  # the chart default's writable root
    assert {"CKV_K8S_20", "CKV_K8S_22", "CKV_K8S_28"} <= unconfigured - failed


STACKS = ["prod", "dev", "azure_prod", "azure_dev", "gcp_prod", "gcp_dev"]


@pytest.mark.parametrize("stack", STACKS)
def test_each_reference_stacks_model_pod_is_admitted_by_kserve_and_pod_security(request, stack):
    inventory = request.getfixturevalue(stack)
    (release,) = [r for r in inventory.of_type(RELEASE)
                  if KSERVE_RESOURCES_CHART.search(r["props"]["chart"])]
    csc = chart_storage_container(release["props"]["values"])
    for isvc in inventory.of_type(ISVC):
        manifest = {k: isvc["props"][k] for k in ("apiVersion", "kind", "metadata", "spec")}
        assert kserve_rejections(manifest, csc["supportedUriFormats"]) == []
        assert crd_errors(manifest) == []
        pod = predictor_pod(manifest, csc)
        assert [c["name"] for c in pod["spec"]["initContainers"]] == ["storage-initializer"]
        assert forbidden_message(pod) is None
