"""KServe v0.20.0's admission rules, ported (components/k8s/admission.py): one refused and one
accepted example per rule, and the InferenceService component refusing what KServe refuses."""

from __future__ import annotations

import copy

import pulumi
import pytest
from medinfra.components.k8s import inference_service
from medinfra.components.k8s.admission import NAME_IN_PREDICTOR, kserve_rejections
from medinfra.components.k8s.inference_service import InferenceService, InferenceServiceArgs
from medinfra.components.k8s.isvc_spec import render
from medinfra.components.k8s.kserve_install import KServeInstall, KServeInstallArgs
from medinfra.components.k8s.kserve_pod import UNCONFIGURED_CSC

from tests.k8s.specs import isvc_inputs as _inputs

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/p/models@sha256:" + "c" * 64
FORMATS = UNCONFIGURED_CSC["supportedUriFormats"]




def _isvc(mode: str = "Standard", annotations: dict | None = None, **predictor) -> dict:
    """Our rendered spec with predictor fields and annotations changed."""
    manifest = render(_inputs(mode=mode))
    manifest["metadata"]["annotations"].update(annotations or {})
    for key, value in predictor.items():
        if value is None:
            manifest["spec"]["predictor"].pop(key, None)
        else:
            manifest["spec"]["predictor"][key] = value
    return manifest


def _model(**fields) -> dict:
    model = copy.deepcopy(render(_inputs())["spec"]["predictor"]["model"])
    model.update(fields)
    return model


HPA = {"serving.kserve.io/autoscalerClass": "hpa"}
NAME_RULE = ("the InferenceService \"Chest_Xray\" is invalid: a InferenceService name must "
             "consist of lower case alphanumeric characters or '-', and must start with "
             "alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for "
             "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
EXACTLY_ONE = ("exactly one of [Name, SKLearn, XGBoost, Tensorflow, PyTorch, Triton, ONNX, "
               "HuggingFace, PMML, LightGBM, Paddle, Model, StorageUris, StorageContainerName, "
               "WorkerSpec, PodSpec] must be specified in PredictorSpec")

# (rule, refused manifest, KServe's message, accepted manifest)
CASES = [
    ("name", render(_inputs(name="Chest_Xray")), NAME_RULE, render(_inputs(name="chest-xray2"))),
    ("autoscaler class", _isvc(annotations={"serving.kserve.io/autoscalerClass": "kpa"}),
     "[kpa] is not a supported autoscaler class type", _isvc(annotations=HPA)),
    ("blocked env", _isvc(model=_model(env=[{"name": "PYTHONPATH", "value": "/x"}])),
     "the InferenceService \"chest-xray\" is invalid: setting PYTHONPATH in container \"\" is "
     "not allowed for security reasons", _isvc(model=_model(env=[{"name": "OMP", "value": "1"}]))),
    ("predictor model name", _isvc(model=_model(name="kserve-container")), NAME_IN_PREDICTOR,
     _isvc()),
    ("framework spec name", _isvc(model=None, sklearn={"name": "x", "storageUri": "s3://b/m/"}),
     NAME_IN_PREDICTOR, _isvc(model=None, sklearn={"storageUri": "s3://b/m/"})),
    ("two implementations", _isvc(sklearn={"storageUri": "s3://b/m/"}), EXACTLY_ONE, _isvc()),
    ("no implementation", _isvc(model=None), EXACTLY_ONE,
     _isvc(model=None, containers=[{"name": "kserve-container", "image": IMAGE}])),
    ("negative minReplicas", _isvc(minReplicas=-1), "'MinReplicas' cannot be less than 0",
     _isvc(minReplicas=0)),
    ("negative maxReplicas", _isvc(maxReplicas=-1), "'MaxReplicas' cannot be less than 0",
     _isvc(minReplicas=3, maxReplicas=0)),
    ("minReplicas above maxReplicas", _isvc(minReplicas=5, maxReplicas=4),
     "'MinReplicas' cannot be greater than MaxReplicas", _isvc(minReplicas=4, maxReplicas=4)),
    ("negative containerConcurrency", _isvc(containerConcurrency=-1),
     "parallelism cannot be less than 0", _isvc(containerConcurrency=0)),
    ("logger mode", _isvc(logger={"mode": "everything"}), "invalid logger type",
     _isvc(logger={"mode": "request"})),
    ("logger storage", _isvc(logger={"mode": "all", "storage": {"path": "/l"}}),
     "invalid logger storage configuration",
     _isvc(logger={"mode": "all", "storage": {"path": "/l", "parameters": {}, "key": "k"}})),
    ("HPA metric", _isvc(annotations=HPA, scaleMetric="concurrency"),
     "[concurrency] is not a supported metric", _isvc(annotations=HPA, scaleMetric="memory")),
    ("HPA utilization", _isvc(annotations=HPA, scaleTarget=150),
     "the target utilization percentage should be a [1-100] integer",
     _isvc(annotations=HPA, scaleTarget=100)),
    ("HPA metric source", _isvc(annotations=HPA, autoScaling={"metrics": [{"type": "External"}]}),
     "invalid HPA metric source type with value [External],valid metric source types are "
     "Resource", _isvc(annotations=HPA, autoScaling={"metrics": [
         {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}]})),
    ("KEDA scaleMetric", _isvc(annotations={"serving.kserve.io/autoscalerClass": "keda"}),
     "ScaleMetric is not supported for KEDA",
     _isvc(annotations={"serving.kserve.io/autoscalerClass": "keda"}, scaleMetric=None)),
    ("KPA metric", _isvc(mode="Knative", scaleMetric="cpu"), "[cpu] is not a supported metric",
     _isvc(mode="Knative", scaleMetric="rps")),
    ("KPA rps target", _isvc(mode="Knative", scaleMetric="rps", scaleTarget=0),
     "the target for rps should be greater than 1",
     _isvc(mode="Knative", scaleMetric="rps", scaleTarget=1)),
    ("KPA deployment strategy", _isvc(mode="Knative", deploymentStrategy={"type": "Recreate"}),
     "customizing deploymentStrategy is only supported for raw deployment mode",
     _isvc(deploymentStrategy={"type": "Recreate"})),
    ("storage URI scheme", _isvc(model=_model(storageUri="ftp://host/m/")),
     "storageUri, must be one of: [gs://, s3://, pvc://, file://, https://, http://, hdfs://, "
     "webhdfs://, oci://, oci+native://, hf://] or match "
     "https://{}.blob.core.windows.net/{}/{} or be an absolute or relative local path. "
     "StorageUri [ftp://host/m/] is not supported",
     _isvc(model=_model(storageUri="https://acct.blob.core.windows.net/models/m/"))),
]


@pytest.mark.parametrize(("refused", "message", "accepted"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_kserve_refuses_with_its_own_message_and_accepts_the_fix(refused, message, accepted):
    assert kserve_rejections(refused, FORMATS) == [message]
    assert kserve_rejections(accepted, FORMATS) == []


def _canary(mode: str, *canaries) -> dict:
    manifest = _isvc(mode=mode)
    manifest["spec"]["canary"] = [{"predictor": {"name": n, "model": _model()},
                                   "trafficPercent": p} for n, p in canaries]
    return manifest


@pytest.mark.parametrize(("manifest", "message"), [
    (_canary("Knative", ("v2", 10)), "canary is only supported in Standard deployment mode"),
    (_canary("Standard", ("v2", 10), ("v2", 10)), 'canary predictor.name "v2" is duplicated'),
    (_canary("Standard", ("", 10)), "canary[0] predictor.name is required"),
    (_canary("Standard", ("v2", 60), ("v3", 60)),
     "sum of canary trafficPercent values (120) must be <= 100"),
])
def test_canary_list_rules_refuse_with_kserves_message(manifest, message):
    assert kserve_rejections(manifest, FORMATS) == [message]
    assert kserve_rejections(_canary("Standard", ("v2", 10), ("v3", 20)), FORMATS) == []


@pytest.mark.parametrize("variant", [
    {}, {"mode": "Knative", "canary_percent": 10}, {"gpu": 0, "gpu_node_selector": None},
    {"runtime": "kserve-torchserve", "model_format": "onnx"},
    {"storage_uri": "gs://b/m/"}, {"storage_uri": "https://a.blob.core.windows.net/m/x/"},
])
def test_every_rendered_variant_passes_kserves_admission(variant):
    assert kserve_rejections(render(_inputs(**variant)), FORMATS) == []


def test_the_old_predictor_model_name_spec_is_refused_with_kserves_message():
    old = render(_inputs())
    old["spec"]["predictor"]["model"]["name"] = "kserve-container"
    assert kserve_rejections(old) == ["the 'name' field is not allowed in standard predictor"]
    assert "name" not in render(_inputs())["spec"]["predictor"]["model"]


def _errors(exc: pulumi.InputPropertiesError) -> dict[str, str]:
    return {e["property_path"]: e["reason"] for e in exc.errors}


def _args(**kw) -> InferenceServiceArgs:
    base = dict(spec=_inputs(), service_account_annotations={"a": "b"}, image=IMAGE)
    return InferenceServiceArgs(**{**base, **kw})


def test_component_refuses_what_kserve_refuses_before_creating_anything(k8s_mocks, monkeypatch):
    def old_render(inputs):
        manifest = render(inputs)
        manifest["spec"]["predictor"]["model"]["name"] = "kserve-container"
        return manifest

    monkeypatch.setattr(inference_service, "render", old_render)
    with pytest.raises(pulumi.InputPropertiesError) as info:
        InferenceService("m", _args())
    assert _errors(info.value) == {"spec": (
        "kserve/kserve v0.20.0 (1fb781055dd1567164358233e1125142ca6ef1fe) would refuse it: "
        "the 'name' field is not allowed in standard predictor")}
    assert k8s_mocks.created == []


def test_component_refuses_a_name_kserve_cannot_serve(k8s_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        InferenceService("m", _args(spec=_inputs(name="Chest_Xray")))
    assert NAME_RULE in _errors(info.value)["spec"]
    assert k8s_mocks.created == []


def test_component_without_an_image_is_refused_naming_the_field(k8s_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        InferenceService("m", _args(image=None))
    assert _errors(info.value) == {"image": (
        "missing: the model-server image by digest (<repository>@sha256:<64 hex>); the serving "
        "runtime's default image is tag-pinned")}
    assert k8s_mocks.created == []


def test_component_with_a_tag_pinned_image_is_refused(k8s_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        InferenceService("m", _args(image="pytorch/torchserve:0.12.0"))
    assert _errors(info.value) == {"image": (
        "'pytorch/torchserve:0.12.0': must be <repository>@sha256:<64 hex>")}
    assert k8s_mocks.created == []


@pulumi.runtime.test
def test_component_with_a_pinned_image_creates_the_service_kserve_admits(k8s_mocks):
    service = InferenceService("m", _args())

    def check(_):
        (isvc,) = [a for a in k8s_mocks.created
                   if a.typ == "kubernetes:serving.kserve.io/v1beta1:InferenceService"]
        assert isvc.inputs["spec"]["predictor"]["model"]["image"] == IMAGE
        assert "name" not in isvc.inputs["spec"]["predictor"]["model"]

    return service.resource.id.apply(check)


def test_kserve_install_without_a_storage_initializer_is_refused_naming_the_field(k8s_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        KServeInstall("k", KServeInstallArgs(gpu_node_selector={}, gpu_tolerations=()))
    assert _errors(info.value) == {
        "storageInitializer": (
            "missing: a (repository, 'sha256:<64 hex>') pair of the storage-initializer image "
            "in this plan's registry; the chart's default image is tag-pinned"),
        "chartDigests": "missing: the sha256:<64 hex> digests of the kserve-crd and "
                        "kserve-resources charts at v0.20.0",
    }
    assert k8s_mocks.created == []


def test_kserve_install_with_a_tag_instead_of_a_digest_is_refused(k8s_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        KServeInstall("k", KServeInstallArgs(gpu_node_selector={}, gpu_tolerations=(),
                                             storage_initializer=("repo", "v0.20.0"),
                                             chart_digests=("sha256:" + "d" * 64, "latest")))
    assert _errors(info.value) == {
        "storageInitializer": "'v0.20.0': the digest must be sha256:<64 hex>",
        "chartDigests": "kserve-resources 'latest': must be sha256:<64 hex>"}
    assert k8s_mocks.created == []
