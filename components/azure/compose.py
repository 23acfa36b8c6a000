"""Compose the Azure building blocks of one `Platform` from its `PlatformConfig`:
`tag_transformations()` and `build()`, the contract `components/platform.py` calls. Where the
stores and models live is worked out in `storage_uris`; `build()` returns an `AzurePlatform`."""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure
from medinfra.components.azure.azure_platform import AzurePlatform
from medinfra.components.azure.data_store import DataStore, DataStoreArgs
from medinfra.components.azure.disk_encryption import DiskEncryption, DiskEncryptionArgs
from medinfra.components.azure.flow_logs import VnetFlowLog, VnetFlowLogArgs
from medinfra.components.azure.gpu_cluster import GpuCluster, GpuClusterArgs, NodePoolSpec
from medinfra.components.azure.health_store import HealthWorkspace, HealthWorkspaceArgs
from medinfra.components.azure.identity import WorkloadIdentity, WorkloadIdentityArgs
from medinfra.components.azure.keys import Keys, KeysArgs
from medinfra.components.azure.logs import LogWorkspace, LogWorkspaceArgs
from medinfra.components.azure.network import Network, NetworkArgs
from medinfra.components.azure.registry import Registry, RegistryArgs
from medinfra.components.azure.storage_uris import model_locations, store_accounts
from medinfra.components.config import MIN_LOG_RETENTION_DAYS, MODELS_NAMESPACE, PlatformConfig
from medinfra.components.naming import physical_name
from medinfra.components.tagging import tag_transformation
from medinfra.components.validation import raise_if_invalid

#: Flow log blobs are kept for a year, the longest Network Watcher's retention policy allows
#: (longer-term evidence lives in Log Analytics through traffic analytics, when enabled).
FLOW_LOG_RETENTION_DAYS = 365


def tag_transformations(tags: dict[str, str]) -> list:
    """Every `azure-native:` resource with a `tags` input gets the stack's tags."""
    return [tag_transformation(tags, "azure-native:", "tags")]


def _pool(name: str, pool, gpu: bool) -> NodePoolSpec:
    return NodePoolSpec(
        name=name,
        vm_size=pool.instance_type,
        min_count=pool.min_size,
        max_count=pool.max_size,
        count=pool.desired,
        os_disk_size_gb=pool.disk_size_gb,
        gpu=gpu,
    )


def build(parent: pulumi.Resource, config: PlatformConfig, prefix: str) -> AzurePlatform:
    """Create the resource group, logs, network, keys, stores, registry, cluster and
    identities under `parent`."""
    locations, problems = model_locations(prefix, config)
    raise_if_invalid("medinfra:azure:Platform", prefix, problems)

    location = config.region
    provider = azure.Provider(
        "azure-native", location=location, opts=pulumi.ResourceOptions(parent=parent)
    )
    opts = pulumi.ResourceOptions(parent=parent, providers=[provider])
    prod = config.is_prod
    group = azure.resources.ResourceGroup(
        "resource-group", resource_group_name=prefix, location=location, opts=opts
    )
    rg = group.name

    logs = LogWorkspace(
        "logs",
        LogWorkspaceArgs(
            resource_group_name=rg,
            location=location,
            workspace_name=f"{prefix}-logs",
            retention_days=730 if prod else MIN_LOG_RETENTION_DAYS,
        ),
        opts=opts,
    )
    workspace_id = logs.workspace.id
    network = Network(
        "network",
        NetworkArgs(
            resource_group_name=rg, location=location, name=prefix, cidr=config.network.cidr
        ),
        opts=opts,
    )
    endpoints = network.subnet_id("endpoints")
    keys = Keys(
        "keys",
        KeysArgs(
            resource_group_name=rg,
            location=location,
            vault_name=physical_name(prefix, "kv", max_len=24),
            endpoint_subnet_id=endpoints,
            dns_zone_id=network.dns_zone_id("vault"),
            workspace_id=workspace_id,
        ),
        opts=opts,
    )
    data_key = keys.key("data")
    accounts = store_accounts(prefix, config)
    stores = {
        store.name: DataStore(
            store.name,
            DataStoreArgs(
                resource_group_name=rg,
                location=location,
                account_name=accounts[store.name],
                container_name=store.name,
                key_vault_uri=keys.vault_uri,
                key_name=keys.key_name("data"),
                key_id=data_key.id,
                endpoint_subnet_id=endpoints,
                dns_zone_id=network.dns_zone_id("blob"),
                workspace_id=workspace_id,
                retention_days=config.retention_days(store),
                replication="Standard_ZRS" if prod else "Standard_LRS",
            ),
            opts=opts,
        )
        for store in config.object_stores
    }
    health = None
    if config.health_stores:
        health = HealthWorkspace(
            "health",
            HealthWorkspaceArgs(
                resource_group_name=rg,
                location=location,
                workspace_name=physical_name(prefix, "hds", max_len=24, sep=""),
                stores=tuple((s.name, s.kind) for s in config.health_stores),
                key_uri=keys.key_uri("data"),
                key_id=data_key.id,
                vnet_id=network.vnet.id,
                endpoint_subnet_id=endpoints,
                workspace_id=workspace_id,
            ),
            opts=opts,
        )
    # CIS Azure 6.4 / HIPAA 164.312(b): the VNet's flows, into a private log store of the plan.
    flow_log = VnetFlowLog(
        "flow-log",
        VnetFlowLogArgs(
            resource_group_name=rg,
            location=location,
            name=prefix,
            account_name=physical_name(prefix, "flowlogs", max_len=24, sep=""),
            vnet_id=network.vnet.id,
            retention_days=FLOW_LOG_RETENTION_DAYS,
            key_vault_uri=keys.vault_uri,
            key_name=keys.key_name("data"),
            key_id=data_key.id,
            endpoint_subnet_id=endpoints,
            dns_zone_id=network.dns_zone_id("blob"),
            workspace_id=workspace_id,
            replication="Standard_ZRS" if prod else "Standard_LRS",
        ),
        opts=opts,
    )
    registry = Registry(
        "registry",
        RegistryArgs(
            resource_group_name=rg,
            location=location,
            registry_name=physical_name(prefix, "acr", max_len=50, sep=""),
            key_uri=keys.key_uri("data"),
            key_id=data_key.id,
            endpoint_subnet_id=endpoints,
            dns_zone_id=network.dns_zone_id("registry"),
            workspace_id=workspace_id,
            # The cluster spans zones in every environment, so the registry can too.
            zone_redundant=True,
        ),
        opts=opts,
    )
    volumes = keys.key("volumes")
    disks = DiskEncryption(
        "disks",
        DiskEncryptionArgs(
            resource_group_name=rg,
            location=location,
            set_name=f"{prefix}-disks",
            vault_id=keys.vault.id,
            # Versionless: the set follows the key's rotation (rotationToLatestKeyVersion).
            key_uri=keys.key_uri("volumes"),
            key_id=volumes.id,
        ),
        opts=opts,
    )
    cluster = GpuCluster(
        "cluster",
        GpuClusterArgs(
            resource_group_name=rg,
            location=location,
            cluster_name=prefix,
            kubernetes_version=config.cluster.kubernetes_version,
            node_subnet_id=network.subnet_id("nodes"),
            service_cidr=config.network.service_cidr,
            pod_cidr=config.network.pod_cidr,
            vault_id=keys.vault.id,
            secrets_key_uri=keys.key("secrets").key_uri_with_version,
            secrets_key_id=keys.key("secrets").id,
            disk_encryption_set_id=disks.disk_encryption_set.id,
            registry_id=registry.registry.id,
            workspace_id=workspace_id,
            system_pool=_pool("system", config.system_pool, gpu=False),
            gpu_pools=tuple(_pool(p.name, p, gpu=True) for p in config.cluster.gpu_pools),
            zones=tuple(str(z) for z in range(1, min(config.availability_zones, 3) + 1)),
            endpoint_public_access=config.cluster.endpoint_public_access,
            authorized_ip_ranges=tuple(config.cluster.public_access_cidrs),
            sku_tier="Standard" if prod else "Free",
        ),
        opts=opts,
    )
    identities = {
        model.name: WorkloadIdentity(
            f"model-{model.name}",
            WorkloadIdentityArgs(
                resource_group_name=rg,
                location=location,
                identity_name=f"{prefix}-model-{model.name}",
                namespace=MODELS_NAMESPACE,
                service_account=model.name,
                oidc_issuer_url=cluster.oidc_issuer,
                container_id=stores[locations[model.name][0]].container.id,
            ),
            opts=opts,
        )
        for model in config.models
    }
    for model in config.models:
        for store in model.data_stores:
            health.grant_reader(
                f"model-{model.name}-{store}", store, identities[model.name].identity.principal_id
            )
    return AzurePlatform(
        group, logs, network, keys, stores, registry, config.registry.name, cluster, identities,
        health,
        flow_log,
    )
