"""AWS components under in-process mocks: weakening needs the explicit flag, and bad
arguments fail before anything is created, every problem in one error."""

from __future__ import annotations

import pulumi
import pytest
from medinfra.components.aws.gpu_cluster import GpuCluster, GpuClusterArgs, NodePoolSpec, _validate
from medinfra.components.aws.keys import Keys, KeysArgs
from medinfra.components.aws.network import Network, NetworkArgs


def _pool(**kw) -> NodePoolSpec:
    base = {
        "name": "gpu",
        "instance_type": "g5.2xlarge",
        "min_size": 0,
        "max_size": 2,
        "desired_size": 0,
        "disk_size_gb": 200,
        "gpu": True,
    }
    return NodePoolSpec(**{**base, **kw})


def _cluster_args(**kw) -> GpuClusterArgs:
    base = {
        "cluster_name": "c",
        "kubernetes_version": "1.33",
        "subnet_ids": ["a", "b"],
        "service_cidr": "172.20.0.0/16",
        "secrets_key_arn": "arn:k1",
        "logs_key_arn": "arn:k2",
        "volumes_key_arn": "arn:k3",
        "system_pool": _pool(
            name="system",
            instance_type="m6i.large",
            min_size=2,
            max_size=3,
            desired_size=2,
            gpu=False,
        ),
        "gpu_pools": (_pool(),),
    }
    return GpuClusterArgs(**{**base, **kw})


def _errors(exc: pulumi.InputPropertiesError) -> dict[str, str]:
    return {e["property_path"]: e["reason"] for e in exc.errors}


def test_public_endpoint_without_allow_list_is_refused_naming_the_field(mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        GpuCluster("c", _cluster_args(endpoint_public_access=True))
    assert "needs a non-empty allow-list" in _errors(info.value)["publicAccessCidrs"]
    assert mocks.created == []


def test_public_endpoint_never_opens_to_the_internet(mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        GpuCluster(
            "c", _cluster_args(endpoint_public_access=True, public_access_cidrs=("0.0.0.0/0",))
        )
    assert "never allowed" in _errors(info.value)["publicAccessCidrs[0]"]
    assert mocks.created == []


def test_public_endpoint_with_flag_and_allow_list_is_accepted(mocks):
    args = _cluster_args(endpoint_public_access=True, public_access_cidrs=("203.0.113.0/24",))
    assert _validate(args) == []
    cluster = GpuCluster("c", args)
    assert cluster.gpu_tolerations == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]


def test_gpu_pool_without_gpu_and_min_above_max_fail_together_before_anything_exists(mocks):
    bad = _pool(instance_type="m5.large", min_size=3, max_size=1, desired_size=1)
    with pytest.raises(pulumi.InputPropertiesError) as info:
        GpuCluster("c", _cluster_args(gpu_pools=(bad,)))
    errors = _errors(info.value)
    assert "m5.large has no NVIDIA GPU" in errors["gpuPools[0].instanceType"]
    assert "3 > maxSize 1" in errors["gpuPools[0].minSize"]
    assert "invalid arguments (3)" in str(info.value)  # desiredSize too: all in one message
    assert mocks.created == []


def test_network_rejects_a_single_zone_and_an_oversized_prefix(mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        Network(
            "n",
            NetworkArgs(cidr="10.0.0.0/24", region="us-east-1", zones=1, flow_log_key_arn="arn:k"),
        )
    errors = _errors(info.value)
    assert "must be 2 to 6" in errors["zones"]
    assert "/16 to /22" in errors["cidr"]
    assert mocks.created == []


def test_keys_reject_a_short_deletion_window_and_unknown_purpose(mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        Keys(
            "k",
            KeysArgs(
                prefix="p", region="us-east-1", purposes=("data", "gold"), deletion_window_days=3
            ),
        )
    errors = _errors(info.value)
    assert "unknown purpose 'gold'" in errors["purposes"]
    assert "must be 7 to 30" in errors["deletionWindowDays"]


def test_model_outside_the_stacks_stores_is_refused_before_planning(cli, platform_copy):
    from tests.conftest import REPO

    text = (
        (REPO / "stacks" / "Pulumi.aws-dev.yaml")
        .read_text()
        .replace("s3://medinfra-aws-dev-models/", "s3://someone-elses-bucket/")
    )
    project = platform_copy({"aws-dev": text})
    result = cli("preview", "--dir", str(project), "--stack", "aws-dev")
    assert result.code == 2
    assert (
        "models[0].storageUri: s3://someone-elses-bucket/chest-xray/2026.10.1/ is not in a "
        "store of this stack" in result.stderr
    )
