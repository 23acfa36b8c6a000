"""PlatformConfig: every bad key reported at once, secure defaults, cloud-specific checks."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from medinfra.components.config import ConfigError, PlatformConfig, load_platform_config
from medinfra.components.validation import endpoint_problems

from tests.conftest import REPO

BASE = {
    "cloud": "aws",
    "environment": "dev",
    "region": "us-east-1",
    "allowedRegions": ["us-east-1"],
    "tags": {"owner": "ml-platform", "costCenter": "cc-1"},
}
SHA = "a" * 64
SERVING = {"storageInitializerDigest": "sha256:" + "c" * 64,
           "kserveChartDigests": {"kserveCrd": "sha256:" + "d" * 64,
                                  "kserveResources": "sha256:" + "e" * 64}}


def _values(**overrides) -> dict[str, str]:
    raw = {**BASE, **overrides}
    if "models" in raw and "serving" not in raw:
        raw["serving"] = SERVING
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


def _problems(**overrides) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        load_platform_config(_values(**overrides))
    found: dict[str, str] = {}
    for p in info.value.problems:  # a key can have several problems: keep them all
        found[p.key] = f"{found[p.key]}\n{p.render()}" if p.key in found else p.render()
    return found


def _gpu_pool(**kw):
    return {"name": "gpu", "instanceType": "g5.xlarge", **kw}


def _model(**kw):
    return {
        "name": "m",
        "version": "1",
        "storageUri": "s3://b/m/1/",
        "sha256": SHA,
        "format": "onnx",
        "imageDigest": "sha256:" + SHA,
        **kw,
    }


def _stack_values(path):
    config = yaml.safe_load(path.read_text())["config"]
    out = {}
    for key, value in config.items():
        if key.startswith("medinfra:"):
            out[key.split(":", 1)[1]] = value if isinstance(value, str) else json.dumps(value)
    return out


@pytest.mark.parametrize(
    "path", sorted((REPO / "stacks").glob("Pulumi.*.yaml")), ids=lambda p: p.name
)
def test_reference_stacks_are_valid(path):
    config = load_platform_config(_stack_values(path))
    assert config.cloud in ("aws", "azure", "gcp")


def test_unknown_cloud_invalid_cidr_and_pool_min_above_max_are_one_message_exit_2(
    cli, platform_copy
):
    stack = {
        "config": {
            "medinfra:cloud": "ibm",
            "medinfra:environment": "dev",
            "medinfra:region": "us-east-1",
            "medinfra:allowedRegions": ["us-east-1"],
            "medinfra:tags": {"owner": "a", "costCenter": "b"},
            "medinfra:network": {"cidr": "10.0.0.0/33"},
            "medinfra:cluster": {
                "gpuPools": [
                    {"name": "gpu", "instanceType": "g5.xlarge", "minSize": 4, "maxSize": 2}
                ]
            },
        }
    }
    project = platform_copy({"bad": yaml.safe_dump(stack)})
    result = cli("preview", "--dir", str(project), "--stack", "bad")
    assert result.code == 2
    assert result.stderr.count("medinfra: error:") == 1
    assert "invalid stack config (3 problems)" in result.stderr
    assert "medinfra:cloud: got \"ibm\"; expected one of 'aws', 'azure' or 'gcp'" in result.stderr
    assert 'medinfra:network.cidr: got "10.0.0.0/33"; not a valid IPv4 CIDR' in result.stderr
    assert "medinfra:cluster.gpuPools[0].minSize: got 4; must be <= maxSize (2)" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_required_project_key_is_reported_before_the_program_runs(cli, platform_copy):
    project = platform_copy({"empty": "config:\n  medinfra:cloud: aws\n"})
    result = cli("preview", "--dir", str(project), "--stack", "empty")
    assert result.code == 2
    assert (
        "missing required config value(s): medinfra:allowedRegions, "
        "medinfra:environment, medinfra:region" in result.stderr
    )


def test_secure_defaults():
    config = load_platform_config(_values())
    assert config.data_classification == "phi"
    assert config.cluster.endpoint_public_access is False
    assert config.cluster.public_access_cidrs == []
    assert config.availability_zones == 2
    assert config.retention_days(config.data_stores[0]) == 6 * 365
    assert config.system_pool.instance_type == "m6i.large"


def test_prod_defaults_to_three_zones_and_two_replicas():
    config = load_platform_config(
        _values(environment="prod", cluster={"gpuPools": [_gpu_pool()]}, models=[_model()])
    )
    assert config.availability_zones == 3
    assert config.min_replicas(config.models[0]) == 2


def test_unknown_key_lists_the_allowed_keys():
    problems = _problems(cluster={"endpointPublic": True})
    assert (
        "unknown key; allowed keys: endpointPublicAccess, gpuPools"
        in problems["cluster.endpointPublic"]
    )


def test_unknown_top_level_key_is_rejected():
    problems = _problems(clod="aws")
    assert "unknown key" in problems["clod"]


def test_missing_required_tag_names_the_tag():
    problems = _problems(tags={"owner": "x"})
    assert problems["tags.costCenter"] == (
        "medinfra:tags.costCenter: missing; required: Cost center billed for it."
    )


def test_public_endpoint_requires_a_non_empty_allow_list():
    problems = _problems(cluster={"endpointPublicAccess": True})
    assert "needs a non-empty allow-list" in problems["cluster.publicAccessCidrs"]


def test_public_endpoint_never_allows_the_whole_internet():
    problems = _problems(cluster={"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]})
    assert "0.0.0.0/0 is never allowed" in problems["cluster.publicAccessCidrs[0]"]


def test_public_endpoint_spelled_as_a_string_still_requires_an_allow_list():
    # pydantic reads "true" as True; the relation is judged on what the cluster will get.
    problems = _problems(cluster={"endpointPublicAccess": "true"})
    assert problems["cluster.publicAccessCidrs"] == (
        "medinfra:cluster.publicAccessCidrs: got []; "
        "endpointPublicAccess: true needs a non-empty allow-list"
    )


def test_pool_bounds_spelled_as_strings_are_one_clear_error():
    pool = {"name": "l4", "instanceType": "g6.xlarge", "minSize": "3", "maxSize": 2}
    problems = _problems(cluster={"gpuPools": [pool]})
    assert problems == {
        "cluster.gpuPools[0].minSize": "medinfra:cluster.gpuPools[0].minSize: got 3; "
        "must be <= maxSize (2)"
    }


def test_gpu_clusters_judge_endpoint_exposure_as_the_config_does():
    # One check for the config and every cloud's GpuCluster; the clusters also check syntax.
    assert endpoint_problems(True, (), "authorizedIpRanges") == [
        ("authorizedIpRanges", "endpointPublicAccess: true needs a non-empty allow-list")
    ]
    assert endpoint_problems(True, ("203.0.113.0/24", "0.0.0.0/0", "10.0.0.1/8"), "x") == [
        ("x[2]", "'10.0.0.1/8' is not a CIDR"),
        ("x[1]", "0.0.0.0/0 is never allowed"),
    ]
    assert endpoint_problems(False, ("203.0.113.0/24",), "x") == [
        ("x", "is set but endpointPublicAccess is false")
    ]
    assert endpoint_problems(True, ("203.0.113.0/24",), "x") == []
    assert endpoint_problems(False, (), "x") == []


def test_public_endpoint_with_allow_list_is_accepted():
    config = load_platform_config(
        _values(cluster={"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]})
    )
    assert config.cluster.public_access_cidrs == ["203.0.113.0/24"]


def test_overlapping_cidrs_are_rejected():
    problems = _problems(network={"cidr": "10.0.0.0/8", "serviceCidr": "10.1.0.0/16"})
    assert "overlaps cidr 10.0.0.0/8" in problems["network.serviceCidr"]


def test_public_vpc_range_is_rejected():
    problems = _problems(network={"cidr": "8.8.0.0/16"})
    assert "must be a private range" in problems["network.cidr"]


def test_region_outside_allowed_regions_is_rejected():
    problems = _problems(region="eu-west-1")
    assert "must be one of allowedRegions" in problems["region"]


@pytest.mark.parametrize(
    ("cloud", "region", "instance", "accelerator", "key", "message"),
    [
        ("aws", "us-east-1", "m5.xlarge", None, "instanceType", "has no NVIDIA GPU"),
        ("aws", "us-east-1", "Standard_NC6", None, "instanceType", "expected an EC2"),
        ("azure", "westeurope", "Standard_D4s_v5", None, "instanceType", "has no GPU"),
        ("gcp", "europe-west4", "e2-standard-8", "nvidia-l4", "instanceType", "carries no GPU"),
        (
            "gcp",
            "europe-west4",
            "g2-standard-8",
            "nvidia-tesla-t4",
            "accelerator",
            "g2 machines offer nvidia-l4",
        ),
        ("gcp", "europe-west4", "n1-standard-8", None, "accelerator", "missing"),
    ],
)
def test_gpu_pools_must_have_gpus_on_each_cloud(cloud, region, instance, accelerator, key, message):
    pool = _gpu_pool(instanceType=instance)
    if accelerator:
        pool["accelerator"] = accelerator
    problems = _problems(
        cloud=cloud, region=region, allowedRegions=[region], cluster={"gpuPools": [pool]}
    )
    assert message in problems[f"cluster.gpuPools[0].{key}"]


def test_valid_gpu_pools_on_each_cloud():
    for cloud, region, pool in [
        ("aws", "us-east-1", _gpu_pool(instanceType="p5.48xlarge")),
        ("azure", "westeurope", _gpu_pool(instanceType="Standard_NC24ads_A100_v4")),
        (
            "gcp",
            "europe-west4",
            _gpu_pool(instanceType="a2-highgpu-1g", accelerator="nvidia-tesla-a100"),
        ),
    ]:
        config = load_platform_config(
            _values(
                cloud=cloud, region=region, allowedRegions=[region], cluster={"gpuPools": [pool]}
            )
        )
        assert config.cluster.gpu_pools[0].instance_type == pool["instanceType"]


def test_model_problems_are_all_reported():
    problems = _problems(
        models=[
            _model(
                sha256="xyz",
                storageUri="http://x/m",
                minReplicas=5,
                maxReplicas=2,
                canaryPercent=150,
            )
        ]
    )
    assert "must match ^[0-9a-f]{64}$" in problems["models[0].sha256"]
    assert "plain http is not allowed" in problems["models[0].storageUri"]
    assert "must be <= maxReplicas (2)" in problems["models[0].minReplicas"]
    assert "less than or equal to 100" in problems["models[0].canaryPercent"]


def test_serving_models_needs_a_digest_pinned_storage_initializer():
    missing = _problems(models=[_model(gpu=0)], serving={"deploymentMode": "Standard"})
    assert missing == {
        "serving.storageInitializerDigest": (
            "medinfra:serving.storageInitializerDigest: missing; required when models are "
            "configured: the sha256:<64 hex> digest of KServe's storage-initializer image "
            "mirrored into this stack's registry"),
        "serving.kserveChartDigests": (
            "medinfra:serving.kserveChartDigests: missing; required when models are "
            "configured: {kserveCrd, kserveResources}, the sha256 digests of KServe's OCI "
            "charts at the pinned version"),
    }
    bad = _problems(models=[_model(gpu=0)], serving={
        "storageInitializerDigest": "v0.20.0",
        "kserveChartDigests": {"kserveCrd": "sha256:" + "d" * 64, "kserveResources": "latest"}})
    assert list(bad) == ["serving.kserveChartDigests.kserveResources",
                         "serving.storageInitializerDigest"]
    assert '"latest"' in bad["serving.kserveChartDigests.kserveResources"]
    assert '"v0.20.0"' in bad["serving.storageInitializerDigest"]
    assert "sha256:[0-9a-f]{64}" in bad["serving.storageInitializerDigest"]
    # Without models there is nothing to fetch weights for: no digest needed.
    assert load_platform_config(_values()).serving.storage_initializer_digest is None


def test_gpu_model_without_gpu_pools_is_rejected():
    problems = _problems(models=[_model(gpu=1)])
    assert "needs a GPU node pool" in problems["models[0].gpu"]


def test_model_storage_scheme_must_match_the_cloud():
    problems = _problems(
        cluster={"gpuPools": [_gpu_pool()]}, models=[_model(storageUri="gs://bucket/m/")]
    )
    assert "on aws expected an s3:// URI" in problems["models[0].storageUri"]


def test_duplicate_names_are_rejected():
    problems = _problems(cluster={"gpuPools": [_gpu_pool(), _gpu_pool()]})
    assert "pool names must be unique" in problems["cluster.gpuPools"]


def test_secret_config_values_are_never_echoed_in_errors():
    values = _values(region="SECRET-REGION-CANARY")
    with pytest.raises(ConfigError) as info:
        load_platform_config(values, secret_keys={"region"})
    assert "SECRET-REGION-CANARY" not in str(info.value)
    assert "[secret]" in str(info.value)


def test_malformed_json_value_is_reported_not_raised():
    values = _values()
    values["tags"] = "{not json"
    with pytest.raises(ConfigError) as info:
        load_platform_config(values)
    assert "medinfra:tags" in str(info.value)
    assert "not valid JSON" in str(info.value)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
_keys = st.sampled_from(
    sorted(PlatformConfig.model_fields) + ["allowedRegions", "gpuPools", "dataStores", "x"]
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_keys, _json, max_size=6))
def test_arbitrary_config_is_either_valid_or_one_config_error(raw):
    values = {k: json.dumps(v) if not isinstance(v, str) else v for k, v in raw.items()}
    try:
        load_platform_config(values)
    except ConfigError as exc:
        assert str(exc).startswith("invalid stack config")
