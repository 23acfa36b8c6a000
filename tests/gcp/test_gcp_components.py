"""GCP components under in-process mocks: bad arguments fail before anything is created, and
weakening a default takes an explicit flag."""

from __future__ import annotations

import json

import pulumi
import pytest
from medinfra.components.config import load_platform_config
from medinfra.components.gcp.compose import _node_pool_labels, model_locations
from medinfra.components.gcp.data_store import DataStore, DataStoreArgs
from medinfra.components.gcp.gpu_cluster import (
    GpuCluster,
    GpuClusterArgs,
    NodePoolSpec,
    accelerator_count,
    kubeconfig,
)
from medinfra.components.gcp.keys import Keys, KeysArgs
from medinfra.components.gcp.services import AGENT_DOMAINS

SYSTEM = NodePoolSpec(name="system", machine_type="e2-standard-4", min_size=1, max_size=3,
                      desired_size=1, disk_size_gb=100)
L4 = NodePoolSpec(name="l4", machine_type="g2-standard-8", min_size=0, max_size=2,
                  desired_size=0, disk_size_gb=200, accelerator="nvidia-l4")


def _cluster_args(**changes) -> GpuClusterArgs:
    args = dict(cluster_name="c", project="p-test", location="europe-west4",
                kubernetes_version="1.33", network_id="n", subnet_id="s", pods_range="pods",
                services_range="services", internal_cidrs=("10.0.0.0/16",),
                secrets_key_id="k1", volumes_key_id="k2", system_pool=SYSTEM, gpu_pools=(L4,))
    return GpuClusterArgs(**{**args, **changes})


def _gcp_types(mocks) -> list[str]:
    return [r.typ for r in mocks.created if r.typ.startswith("gcp:")]


def test_accelerator_not_offered_by_the_machine_family_fails_before_anything_is_created(
        gcp_mocks):
    bad = NodePoolSpec(name="x", machine_type="g2-standard-8", min_size=0, max_size=1,
                       desired_size=0, disk_size_gb=200, accelerator="nvidia-tesla-t4")
    cpu = NodePoolSpec(name="y", machine_type="e2-standard-8", min_size=0, max_size=1,
                       desired_size=0, disk_size_gb=200, accelerator="nvidia-l4")
    with pytest.raises(pulumi.InputPropertiesError) as info:
        GpuCluster("cluster", _cluster_args(gpu_pools=(bad, cpu)))
    message = str(info.value)
    assert "invalid arguments (2)" in message
    assert "gpuPools[0].accelerator: 'nvidia-tesla-t4' is not offered on g2-standard-8" in message
    assert "g2 offers nvidia-l4" in message
    assert "gpuPools[1].accelerator" in message and "not a GPU machine family" in message
    assert gcp_mocks.created == []


def test_a_public_endpoint_needs_the_flag_and_a_named_range(gcp_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        GpuCluster("cluster", _cluster_args(endpoint_public_access=True))
    assert "publicAccessCidrs: endpointPublicAccess: true needs a non-empty allow-list" in str(
        info.value)
    with pytest.raises(pulumi.InputPropertiesError) as info:
        GpuCluster("cluster", _cluster_args(endpoint_public_access=True,
                                            public_access_cidrs=("0.0.0.0/0",)))
    assert "0.0.0.0/0 is never allowed" in str(info.value)
    with pytest.raises(pulumi.InputPropertiesError):
        GpuCluster("cluster", _cluster_args(public_access_cidrs=("203.0.113.0/24",)))
    assert gcp_mocks.created == []


@pulumi.runtime.test
def test_opening_the_endpoint_explicitly_keeps_nodes_private_and_lists_the_range(gcp_mocks):
    cluster = GpuCluster("cluster", _cluster_args(endpoint_public_access=True,
                                                  public_access_cidrs=("203.0.113.0/24",)))

    def check(_):
        (cluster,) = [r for r in gcp_mocks.created if r.typ == "gcp:container/cluster:Cluster"]
        private = cluster.inputs["privateClusterConfig"]
        assert private["enablePrivateNodes"] is True
        assert private["enablePrivateEndpoint"] is False
        blocks = [b["cidrBlock"] for b in cluster.inputs["masterAuthorizedNetworksConfig"][
            "cidrBlocks"]]
        assert blocks == ["10.0.0.0/16", "203.0.113.0/24"]

    return cluster.cluster.id.apply(check)


def test_keys_refuse_rotation_beyond_90_days_and_missing_agents(gcp_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        Keys("keys", KeysArgs(prefix="p", location="europe-west4", rotation_days=365))
    message = str(info.value)
    assert "rotationDays: 365: must be 1 to 90" in message
    assert "the container.googleapis.com agent is needed for the secrets key" in message
    assert gcp_mocks.created == []


def test_a_locked_retention_needs_a_retention_period(gcp_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        DataStore("s", DataStoreArgs(bucket_name="bucket", location="europe-west4",
                                     key_id="k", access_log_bucket="logs",
                                     lock_retention=True, soft_delete_days=3))
    assert "lockRetention: needs retentionDays" in str(info.value)
    assert "softDeleteDays: 3: must be 7 to 90" in str(info.value)
    assert gcp_mocks.created == []


@pulumi.runtime.test
def test_keys_are_granted_to_service_agents_only_and_protected(gcp_mocks):
    agents = {s: f"serviceAccount:agent@{d}.iam" for s, d in AGENT_DOMAINS.items()}
    keys = Keys("keys", KeysArgs(prefix="p", location="europe-west4", agents=agents))

    def check(_):
        grants = [r for r in gcp_mocks.created
                  if r.typ == "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"]
        assert sorted(g.inputs["member"] for g in grants) == sorted(agents.values())
        assert all(k._protect for k in keys.keys.values())
        assert keys.ring._protect

    return pulumi.Output.all(*[g.id for gs in keys.grants.values() for g in gs]).apply(check)


def test_accelerator_count_follows_the_machine_type():
    assert accelerator_count("g2-standard-8") == 1
    assert accelerator_count("g2-standard-48") == 4
    assert accelerator_count("a2-highgpu-4g") == 4
    assert accelerator_count("a3-highgpu-8g") == 8
    assert accelerator_count("n1-standard-8") == 1


def test_kubeconfig_uses_the_gke_auth_plugin_and_no_static_credentials():
    config = json.loads(kubeconfig("c", "172.16.0.2", "Q0E="))
    (cluster,) = config["clusters"]
    assert cluster["cluster"] == {"server": "https://172.16.0.2",
                                  "certificate-authority-data": "Q0E="}
    (user,) = config["users"]
    assert user["user"]["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert set(user["user"]) == {"exec"}


def test_node_pool_labels_go_to_the_vms_not_the_kubernetes_nodes():
    transform = _node_pool_labels({"owner": "team"})
    args = pulumi.ResourceTransformationArgs(
        resource=None, type_="gcp:container/nodePool:NodePool", name="pool",
        props={"node_config": {"labels": {"medinfra.io/pool": "l4"}}},
        opts=pulumi.ResourceOptions())
    node_config = transform(args).props["node_config"]
    assert node_config["labels"] == {"medinfra.io/pool": "l4"}
    assert node_config["resource_labels"] == {"owner": "team"}


def _config(**changes):
    values = {
        "cloud": "gcp", "environment": "dev", "region": "europe-west4",
        "allowedRegions": '["europe-west4"]', "tags": '{"owner": "a", "costCenter": "b"}',
        "serving": json.dumps({
            "storageInitializerDigest": "sha256:" + "c" * 64,
            "kserveChartDigests": {"kserveCrd": "sha256:" + "d" * 64,
                                   "kserveResources": "sha256:" + "e" * 64},
        }),
        "cluster": '{"gpuPools": [{"name": "l4", "instanceType": "g2-standard-8", '
                   '"accelerator": "nvidia-l4"}]}',
    }
    return load_platform_config({**values, **changes})


def test_model_uris_must_be_in_a_bucket_of_this_stack():
    model = {"name": "m", "version": "1", "sha256": "a" * 64, "format": "onnx",
             "imageDigest": "sha256:" + "b" * 64}
    uris = ["gs://medinfra-gcp-dev-models/m/1/", "gs://someone-else/m/1/"]
    config = _config(models=json.dumps([{**model, "name": f"m{i}", "storageUri": u}
                                        for i, u in enumerate(uris)]))
    found, problems = model_locations("medinfra-gcp-dev", config)
    assert found == {"m0": "models"}
    assert problems == [("models[1].storageUri",
                         "gs://someone-else/m/1/ is not in a store of this stack "
                         "(gs://{medinfra-gcp-dev-models}/...)")]
