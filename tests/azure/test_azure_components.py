"""Azure components under in-process mocks and pure helpers: weakening needs the explicit flag,
and bad arguments fail before anything is created, every problem in one error."""

from __future__ import annotations

import json

import pulumi
import pytest
import yaml
from medinfra.components.azure.compose import model_locations, store_accounts
from medinfra.components.azure.data_store import DataStore, DataStoreArgs
from medinfra.components.azure.gpu_cluster import (
    GpuCluster,
    GpuClusterArgs,
    NodePoolSpec,
    _validate,
    api_server_access,
)
from medinfra.components.azure.keys import Keys, KeysArgs
from medinfra.components.azure.network import subnet_ranges
from medinfra.components.config import load_platform_config

from tests.conftest import REPO


def _pool(**kw) -> NodePoolSpec:
    base = {
        "name": "t4",
        "vm_size": "Standard_NC4as_T4_v3",
        "min_count": 0,
        "max_count": 2,
        "count": 0,
        "os_disk_size_gb": 200,
        "gpu": True,
    }
    return NodePoolSpec(**{**base, **kw})


def _cluster_args(**kw) -> GpuClusterArgs:
    base = {
        "resource_group_name": "rg",
        "location": "westeurope",
        "cluster_name": "c",
        "kubernetes_version": "1.33",
        "node_subnet_id": "/subnets/nodes",
        "service_cidr": "172.20.0.0/16",
        "pod_cidr": "100.64.0.0/14",
        "vault_id": "/vaults/v",
        "secrets_key_uri": "https://v.vault.azure.net/keys/secrets/1",
        "secrets_key_id": "/vaults/v/keys/secrets",
        "disk_encryption_set_id": "/diskEncryptionSets/d",
        "registry_id": "/registries/r",
        "workspace_id": "/workspaces/w",
        "system_pool": _pool(
            name="system", vm_size="Standard_D4s_v5", min_count=2, max_count=3, count=2, gpu=False
        ),
        "gpu_pools": (_pool(),),
    }
    return GpuClusterArgs(**{**base, **kw})


def _errors(exc: pulumi.InputPropertiesError) -> dict[str, str]:
    return {e["property_path"]: e["reason"] for e in exc.errors}


def _stack_config(stack: str, **overrides) -> dict[str, str]:
    """The `medinfra:*` values of a reference stack file, as Pulumi hands them to the program."""
    values = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    values = {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("medinfra:")}
    values.update(overrides)
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def test_non_gpu_size_in_a_gpu_pool_and_public_api_without_ranges_fail_together(azure_mocks):
    bad = _pool(vm_size="Standard_D8s_v5", min_count=3, max_count=1, count=1)
    with pytest.raises(pulumi.InputPropertiesError) as info:
        GpuCluster("c", _cluster_args(gpu_pools=(bad,), endpoint_public_access=True))
    errors = _errors(info.value)
    assert "Standard_D8s_v5 has no GPU" in errors["gpuPools[0].vmSize"]
    assert "3 > maxCount 1" in errors["gpuPools[0].minCount"]
    assert "needs a non-empty allow-list" in errors["authorizedIpRanges"]
    assert "invalid arguments (4)" in str(info.value)  # count too: all in one message
    assert azure_mocks.created == []


def test_public_api_never_opens_to_the_internet(azure_mocks):
    args = _cluster_args(endpoint_public_access=True, authorized_ip_ranges=("0.0.0.0/0",))
    with pytest.raises(pulumi.InputPropertiesError) as info:
        GpuCluster("c", args)
    assert "never allowed" in _errors(info.value)["authorizedIpRanges[0]"]
    assert azure_mocks.created == []


def test_api_server_is_private_unless_flag_and_ranges_open_it():
    private = api_server_access(_cluster_args())
    assert private["enable_private_cluster"] is True and "authorized_ip_ranges" not in private
    opened = _cluster_args(endpoint_public_access=True, authorized_ip_ranges=("203.0.113.0/24",))
    assert _validate(opened) == []
    assert api_server_access(opened) == {
        "enable_private_cluster": False,
        "authorized_ip_ranges": ["203.0.113.0/24"],
        "disable_run_command": True,
    }
    ranges_without_flag = _cluster_args(authorized_ip_ranges=("203.0.113.0/24",))
    assert ("authorizedIpRanges", "is set but endpointPublicAccess is false") in _validate(
        ranges_without_flag
    )


def test_aks_pool_names_must_fit_the_api(azure_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        GpuCluster("c", _cluster_args(gpu_pools=(_pool(name="a100-spot"),)))
    assert "1-12 lowercase letters/digits" in _errors(info.value)["gpuPools[0].name"]
    assert azure_mocks.created == []


def test_keys_refuse_short_rsa_keys_and_short_soft_delete(azure_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        Keys(
            "k",
            KeysArgs(
                resource_group_name="rg",
                location="westeurope",
                vault_name="kv",
                endpoint_subnet_id="s",
                dns_zone_id="z",
                workspace_id="w",
                key_size=2048,
                soft_delete_retention_days=3,
            ),
        )
    errors = _errors(info.value)
    assert "2048: must be one of [3072, 4096]" in errors["keySize"]
    assert "must be 7 to 90" in errors["softDeleteRetentionDays"]
    assert "must be 3 to 24 characters" in errors["vaultName"]
    assert azure_mocks.created == []


def test_data_store_refuses_an_invalid_account_name(azure_mocks):
    with pytest.raises(pulumi.InputPropertiesError) as info:
        DataStore(
            "s",
            DataStoreArgs(
                resource_group_name="rg",
                location="westeurope",
                account_name="Medinfra-Models",
                container_name="models",
                key_vault_uri="https://v.vault.azure.net/",
                key_name="data",
                key_id="/k",
                endpoint_subnet_id="s",
                dns_zone_id="z",
                workspace_id="w",
            ),
        )
    assert "3-24 lowercase letters/digits" in _errors(info.value)["accountName"]
    assert azure_mocks.created == []


def test_subnets_split_the_vnet_without_overlap():
    assert subnet_ranges("10.60.0.0/16") == {"nodes": "10.60.0.0/17", "endpoints": "10.60.128.0/19"}
    assert subnet_ranges("10.0.0.0/22") == {"nodes": "10.0.0.0/23", "endpoints": "10.0.2.0/25"}


def test_model_uris_must_name_a_container_of_this_stacks_accounts():
    config = load_platform_config(_stack_config("azure-prod"))
    prefix = "medinfra-azure-prod"
    assert store_accounts(prefix, config) == {
        "models": "medinfraazureprodmodels",
        "phi-data": "medinfraazureprodphidata",
    }
    found, problems = model_locations(prefix, config)
    assert found == {"chest-xray": ("models", "chest-xray/2026.10.1")} and problems == []
    foreign = [
        "https://someoneelse.blob.core.windows.net/models/m/",
        "https://medinfraazureprodmodels.blob.core.windows.net/phi-data/m/",  # wrong container
        "https://medinfraazureprodmodels.example.com/models/m/",
    ]
    # azure-prod lists versions: the prod version's URI is the one checked (the candidate is
    # not served), at its own key.
    for uri in foreign:
        versions = [v.model_copy(update={"storage_uri": uri}) if v.stage == "prod" else v
                    for v in config.models[0].versions]
        model = config.models[0].model_copy(update={"versions": versions})
        _, problems = model_locations(prefix, config.model_copy(update={"models": [model]}))
        ((path, reason),) = problems
        assert path == "models[0].versions[0].storageUri"
        assert "is not in a store of this stack" in reason


def test_bad_azure_stack_config_is_one_error_naming_every_problem(cli, platform_copy):
    text = (
        (REPO / "stacks" / "Pulumi.azure-dev.yaml")
        .read_text()
        .replace("instanceType: Standard_NC4as_T4_v3", "instanceType: Standard_D8s_v5")
        .replace("medinfra:region: westeurope", "medinfra:region: eastus")
    )
    project = platform_copy({"azure-dev": text})
    result = cli("preview", "--dir", str(project), "--stack", "azure-dev")
    assert result.code == 2
    assert "invalid stack config (2 problems)" in result.stderr
    assert 'medinfra:cluster.gpuPools[0].instanceType: got "Standard_D8s_v5"; has no GPU' in (
        result.stderr
    )
    assert 'medinfra:region: got "eastus"; must be one of allowedRegions' in result.stderr
    assert "Traceback" not in result.stderr


def test_model_outside_the_stacks_stores_is_refused_before_planning(cli, platform_copy):
    text = (
        (REPO / "stacks" / "Pulumi.azure-dev.yaml")
        .read_text()
        .replace("https://medinfraazuredevmodels.", "https://elsewhere.")
    )
    project = platform_copy({"azure-dev": text})
    result = cli("preview", "--dir", str(project), "--stack", "azure-dev")
    assert result.code == 2
    assert (
        "models[0].storageUri: https://elsewhere.blob.core.windows.net/models/chest-xray/"
        "2026.10.1/ is not in a store of this stack" in result.stderr
    )
