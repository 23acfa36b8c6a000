"""Model serving: KServe install and the InferenceService, from the offline plan and pure."""

from __future__ import annotations

import json
import os

import pytest
from medinfra.components.config import ConfigError, load_platform_config
from medinfra.components.k8s.isvc_spec import render
from medinfra.components.k8s.kserve_install import KSERVE_VERSION

from tests.conftest import REPO
from tests.k8s.specs import TOLERATION
from tests.k8s.specs import isvc_inputs as _inputs
from tests.kserve_crd import crd_errors

ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
GOLDEN = REPO / "tests" / "golden" / "inference_service.json"
SERVING = {"storageInitializerDigest": "sha256:" + "c" * 64,
           "kserveChartDigests": {"kserveCrd": "sha256:" + "d" * 64,
                                  "kserveResources": "sha256:" + "e" * 64}}


def _isvc(inventory) -> dict:
    (isvc,) = inventory.of_type(ISVC)
    return isvc


def _manifest(isvc: dict) -> dict:
    return {k: isvc["props"][k] for k in ("apiVersion", "kind", "metadata", "spec")}


def test_prod_plan_installs_cert_manager_kserve_and_the_device_plugin(prod):
    releases = {r["name"]: r["props"] for r in prod.of_type("kubernetes:helm.sh/v3:Release")}
    assert releases["kserve-kserve"]["version"] == KSERVE_VERSION
    assert releases["kserve-kserve-crd"]["version"] == KSERVE_VERSION
    assert releases["kserve-cert-manager"]["version"] >= "v1.15"
    plugin = releases["kserve-device-plugin"]["values"]
    assert plugin["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert plugin["tolerations"] == [TOLERATION]


def test_models_namespace_is_restricted_and_default_deny(prod):
    (ns,) = [n for n in prod.of_type("kubernetes:core/v1:Namespace")
             if n["props"]["metadata"]["name"] == "models"]
    assert ns["props"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    policies = {p["props"]["metadata"]["name"]: p["props"]["spec"]
                for p in prod.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_inference_service_spec_is_gpu_aware_hardened_and_pinned(prod):
    isvc = _isvc(prod)
    predictor = isvc["props"]["spec"]["predictor"]
    resources = predictor["model"]["resources"]
    assert resources["limits"] == resources["requests"]
    assert resources["limits"]["nvidia.com/gpu"] == "1"
    assert predictor["tolerations"] == [TOLERATION]
    assert predictor["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert predictor["serviceAccountName"] == "chest-xray"
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (2, 6)
    assert predictor["model"]["storageUri"].startswith("s3://medinfra-aws-prod-models/")
    annotations = isvc["props"]["metadata"]["annotations"]
    assert annotations["medinfra.io/model-sha256"] == (
        "3f1c7a9e0b5d2c4e8a6f1b3d5c7e9a0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a1c")
    assert annotations["serving.kserve.io/deploymentMode"] == "Standard"
    assert "canaryTrafficPercent" not in predictor  # Standard mode would ignore it
    container = predictor["model"]["securityContext"]
    assert container == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                         "privileged": False, "readOnlyRootFilesystem": True,
                         "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    assert predictor["securityContext"]["runAsNonRoot"] is True


def test_service_account_is_bound_to_the_models_pod_identity_role_of_this_plan(prod):
    (account,) = prod.of_type("kubernetes:core/v1:ServiceAccount")
    (association,) = prod.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    metadata = account["props"]["metadata"]
    assert (association["props"]["namespace"], association["props"]["serviceAccount"]) == (
        metadata["namespace"], metadata["name"])
    role = prod.referenced(association, "/roleArn")
    assert role["type"] == "aws:iam/role:Role" and role["name"] == "model-chest-xray"
    # No IRSA annotation: it would make EKS inject a second, web-identity credential.
    assert "eks.amazonaws.com/role-arn" not in metadata.get("annotations", {})
    assert "automountServiceAccountToken" in account["props"]
    assert not any("secret" in k.lower() for k in json.dumps(account["props"]).split('"'))


def test_model_server_image_is_pinned_by_digest_in_this_plans_registry(prod):
    isvc = _isvc(prod)
    image = isvc["props"]["spec"]["predictor"]["model"]["image"]
    repository, digest = image.split("@")
    assert digest == "sha256:9b2e4c6a8d0f1e3c5a7b9d1f3e5c7a9b1d3f5e7c9a1b3d5f7e9c1a3b5d7f9e1c"
    assert repository.endswith(".amazonaws.com/medinfra-aws-prod/models")
    registry = prod.referenced(isvc, "/spec/predictor/model/image")
    assert registry["type"] == "aws:ecr/repository:Repository"


def storage_initializer(inventory) -> tuple[str, dict]:
    """The storage-initializer image KServe will inject, and the resource it comes from."""
    (release,) = [r for r in inventory.of_type("kubernetes:helm.sh/v3:Release")
                  if r["props"]["chart"].split("@")[0].endswith("/kserve-resources")]
    storage = release["props"]["values"]["kserve"]["storage"]
    # On Azure and GCP the Inventory attributes "/values" as a whole.
    source = inventory.attributed(release, "/values/kserve/storage/image")
    return f"{storage['image']}:{storage['tag']}", source


def test_storage_initializer_is_pinned_by_digest_in_this_plans_registry(prod):
    image, source = storage_initializer(prod)
    assert image.endswith(f":{KSERVE_VERSION}@sha256:5d8e2a4c6b0f1a3e5c7d9b1f3a5e7c9d1b3f5a7e9c"
                          "1d3b5f7a9e1c3d5b7f9a2e")
    assert image.startswith(_isvc(prod)["props"]["spec"]["predictor"]["model"]["image"]
                            .split("@")[0] + ":")
    assert source["type"] == "aws:ecr/repository:Repository"


def test_model_without_a_digest_pinned_image_is_a_config_error():
    values = {"cloud": "aws", "environment": "dev", "region": "us-east-1",
              "allowedRegions": '["us-east-1"]', "tags": '{"owner": "a", "costCenter": "b"}',
              "models": json.dumps([{"name": "m", "version": "1", "storageUri": "s3://b/m/",
                                     "sha256": "a" * 64, "format": "onnx", "gpu": 0,
                                     "imageDigest": "latest"}]),
              "serving": json.dumps(SERVING)}
    with pytest.raises(ConfigError) as info:
        load_platform_config(values)
    assert "models[0].imageDigest" in str(info.value) and "latest" in str(info.value)


def test_standard_mode_gets_a_disruption_budget(prod):
    (pdb,) = prod.of_type("kubernetes:policy/v1:PodDisruptionBudget")
    assert pdb["props"]["spec"]["selector"]["matchLabels"] == {
        "serving.kserve.io/inferenceservice": "chest-xray"}


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_planned_inference_services_validate_against_the_kserve_crd(request, stack):
    assert crd_errors(_manifest(_isvc(request.getfixturevalue(stack)))) == []




@pytest.mark.parametrize("variant", [
    {}, {"mode": "Knative", "canary_percent": 10}, {"gpu": 0, "gpu_node_selector": None},
    {"runtime": "kserve-torchserve", "model_format": "onnx"},
    {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/p/models@sha256:" + "c" * 64},
])
def test_every_rendered_variant_validates_against_the_crd(variant):
    assert crd_errors(render(_inputs(**variant))) == []


def test_crd_validation_rejects_unknown_fields_and_float_quantities():
    manifest = render(_inputs())
    manifest["spec"]["predictor"]["model"]["resources"]["limits"]["cpu"] = 0.5
    manifest["spec"]["predictor"]["typo"] = True
    errors = crd_errors(manifest)
    assert any("limits/cpu" in e for e in errors)
    assert any("'typo' was unexpected" in e for e in errors)


def test_canary_is_only_emitted_in_knative_mode():
    assert render(_inputs(mode="Knative", canary_percent=10))["spec"]["predictor"][
        "canaryTrafficPercent"] == 10
    assert "canaryTrafficPercent" not in render(_inputs(canary_percent=10))["spec"]["predictor"]


def test_rendered_spec_matches_the_golden_file_on_security_paths():
    rendered = render(_inputs())
    predictor = rendered["spec"]["predictor"]
    security = {
        "annotations": rendered["metadata"]["annotations"],
        "podSecurityContext": predictor["securityContext"],
        "containerSecurityContext": predictor["model"]["securityContext"],
        "resources": predictor["model"]["resources"],
        "tolerations": predictor["tolerations"],
        "nodeSelector": predictor["nodeSelector"],
        "serviceAccountName": predictor["serviceAccountName"],
        "volumes": predictor["volumes"],
        "storageUri": predictor["model"]["storageUri"],
    }
    if os.environ.get("MEDINFRA_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(security, indent=2, sort_keys=True) + "\n")
    assert security == json.loads(GOLDEN.read_text())


def test_canary_in_standard_mode_is_a_config_error():
    values = {"cloud": "aws", "environment": "dev", "region": "us-east-1",
              "allowedRegions": '["us-east-1"]', "tags": '{"owner": "a", "costCenter": "b"}',
              "cluster": '{"gpuPools": [{"name": "gpu", "instanceType": "g5.xlarge"}]}',
              "models": json.dumps([{"name": "m", "version": "1", "storageUri": "s3://b/m/",
                                     "sha256": "a" * 64, "format": "onnx",
                                     "imageDigest": "sha256:" + "b" * 64,
                                     "canaryPercent": 10}]),
              "serving": json.dumps(SERVING)}
    with pytest.raises(ConfigError) as info:
        load_platform_config(values)
    assert "canary traffic needs serving.deploymentMode: Knative" in str(info.value)
    values["serving"] = json.dumps({**SERVING, "deploymentMode": "Knative"})
    assert load_platform_config(values).models[0].canary_percent == 10
