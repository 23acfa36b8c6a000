"""Compose the GCP building blocks of one `Platform` from its `PlatformConfig`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import pulumi
import pulumi_gcp as gcp
from medinfra.components.config import MODELS_NAMESPACE, PlatformConfig
from medinfra.components.config.serving import model_places
from medinfra.components.gcp.access_logs import AccessLogBucket, AccessLogBucketArgs
from medinfra.components.gcp.data_store import DataStore, DataStoreArgs
from medinfra.components.gcp.gpu_cluster import GpuCluster, GpuClusterArgs, NodePoolSpec
from medinfra.components.gcp.health_store import HealthDataset, HealthDatasetArgs
from medinfra.components.gcp.identity import WorkloadIdentity, WorkloadIdentityArgs
from medinfra.components.gcp.keys import Keys, KeysArgs
from medinfra.components.gcp.network import PODS_RANGE, SERVICES_RANGE, Network, NetworkArgs
from medinfra.components.gcp.registry import Registry, RegistryArgs
from medinfra.components.gcp.services import ProjectServices, ProjectServicesArgs
from medinfra.components.k8s.compose import ModelIdentity, ServingTarget
from medinfra.components.naming import physical_name
from medinfra.components.tagging import gcp_labels, tag_transformation
from medinfra.components.validation import raise_if_invalid

NODE_POOL = "gcp:container/nodePool:NodePool"
#: What a pod needs to reach GKE's metadata server for workload identity tokens when a
#: NetworkPolicy restricts egress (Dataplane V2 serves it on 169.254.169.254:80 and
#: 169.254.169.252:988).
METADATA_EGRESS = (
    {"to": [{"ipBlock": {"cidr": "169.254.169.254/32"}}],
     "ports": [{"protocol": "TCP", "port": 80}]},
    {"to": [{"ipBlock": {"cidr": "169.254.169.252/32"}}],
     "ports": [{"protocol": "TCP", "port": 988}]},
)


@dataclass
class GcpPlatform:
    """What the GCP platform exposes to the serving layer."""

    services: ProjectServices
    keys: Keys
    network: Network
    stores: dict[str, DataStore]
    registry: Registry
    cluster: GpuCluster
    identities: dict[str, WorkloadIdentity]
    health: HealthDataset | None = None

    @property
    def serving(self) -> ServingTarget:
        """The cloud-neutral outputs model serving builds on."""
        return ServingTarget(
            provider=self.cluster.provider,
            gpu_node_selector=self.cluster.gpu_node_selector,
            gpu_tolerations=self.cluster.gpu_tolerations,
            identities={name: ModelIdentity(identity.service_account_annotations)
                        for name, identity in self.identities.items()},
            image_repository=self.registry.url,
            # GKE runs NVIDIA's device plugin itself on nodes with GPU driver installation.
            install_device_plugin=False,
            extra_egress=METADATA_EGRESS,
        )

    def exports(self) -> dict[str, object]:
        """Stack outputs (the kubeconfig stays secret)."""
        return {
            "clusterName": self.cluster.cluster.name,
            "kubeconfig": self.cluster.kubeconfig,
            "registryUrl": self.registry.url,
            "buckets": {n: s.bucket.name for n, s in self.stores.items()},
            **({"healthDataset": self.health.dataset.id} if self.health else {}),
        }


def _node_pool_labels(labels: dict[str, str]):
    """Node pools carry GCP labels inside nodeConfig (`resourceLabels`, on the VMs and disks);
    `nodeConfig.labels` are Kubernetes node labels and are left alone."""

    def transform(args: pulumi.ResourceTransformationArgs):
        node_config = args.props.get("node_config")
        if args.type_ != NODE_POOL or not isinstance(node_config, dict):
            return None
        node_config = {**node_config, "resource_labels": {
            **labels, **(node_config.get("resource_labels") or {})}}
        return pulumi.ResourceTransformationResult({**args.props, "node_config": node_config},
                                                   args.opts)

    return transform


def tag_transformations(tags: dict[str, str]) -> list:
    """Every labelable `gcp:` resource gets the stack's tags as GCP labels (most take
    `labels`; a GKE cluster takes `resourceLabels`; node pools label their VMs)."""
    labels = gcp_labels(tags)
    return [
        tag_transformation(labels, "gcp:", "labels"),
        tag_transformation(labels, "gcp:", "resource_labels"),
        _node_pool_labels(labels),
    ]


def store_bucket_names(prefix: str, config: PlatformConfig) -> dict[str, str]:
    """Store name -> physical bucket name."""
    return {s.name: physical_name(prefix, s.name) for s in config.object_stores}


def model_locations(prefix: str, config: PlatformConfig) -> tuple[dict, list[tuple[str, str]]]:
    """Model name -> store name; and problems for URIs outside this stack's buckets."""
    buckets = {v: k for k, v in store_bucket_names(prefix, config).items()}

    def locate(storage_uri: str) -> tuple[str, str] | None:
        uri = urlparse(storage_uri)
        if uri.scheme != "gs" or uri.netloc not in buckets:
            return None
        return buckets[uri.netloc], uri.path.strip("/")

    places, problems = model_places(
        config.models, locate, f"gs://{{{', '.join(sorted(buckets))}}}/...")
    return {name: next(iter(p))[0] for name, p in places.items()}, problems


def _spec(name: str, pool, accelerator: str | None) -> NodePoolSpec:
    return NodePoolSpec(name=name, machine_type=pool.instance_type, min_size=pool.min_size,
                        max_size=pool.max_size, desired_size=pool.desired,
                        disk_size_gb=pool.disk_size_gb, accelerator=accelerator)


def build(parent: pulumi.Resource, config: PlatformConfig, prefix: str) -> GcpPlatform:
    """Create services, keys, network, stores, registry, cluster and identities under `parent`."""
    project = gcp.config.project
    locations, problems = model_locations(prefix, config)
    if not project:
        problems.append(("gcp:project", "required: the project to deploy into "
                                        "(pulumi config set gcp:project <id>)"))
    raise_if_invalid("medinfra:gcp:Platform", prefix, problems)

    region, prod = config.region, config.is_prod
    provider = gcp.Provider("gcp", project=project, region=region,
                            opts=pulumi.ResourceOptions(parent=parent))
    opts = pulumi.ResourceOptions(parent=parent, providers=[provider])
    services = ProjectServices("services", ProjectServicesArgs(project=project), opts=opts)
    keys = Keys("keys", KeysArgs(prefix=prefix, location=region, agents=services.agents),
                opts=opts)
    network = Network("network", NetworkArgs(
        name=prefix, region=region, cidr=config.network.cidr, pod_cidr=config.network.pod_cidr,
        service_cidr=config.network.service_cidr), opts=opts)

    locked = prod and config.is_phi
    log_bucket = AccessLogBucket("access-logs", AccessLogBucketArgs(
        bucket_name=physical_name(prefix, "access-logs"), location=region,
        key_id=keys.key_id("data"), key_grants=keys.grants["data"], lock_retention=locked),
        opts=opts)
    names = store_bucket_names(prefix, config)
    stores = {
        store.name: DataStore(store.name, DataStoreArgs(
            bucket_name=names[store.name], location=region, key_id=keys.key_id("data"),
            key_grants=keys.grants["data"], access_log_bucket=log_bucket.bucket.name,
            retention_days=config.retention_days(store),
            lock_retention=locked and config.retention_days(store) is not None), opts=opts)
        for store in config.object_stores
    }
    health = None
    if config.health_stores:
        health = HealthDataset("health", HealthDatasetArgs(
            project=project, location=region, dataset_name=physical_name(prefix, "health"),
            stores=tuple((s.name, s.kind) for s in config.health_stores),
            key_id=keys.key_id("data")), opts=opts)
    registry = Registry("registry", RegistryArgs(
        repository_id=physical_name(prefix, config.registry.name), location=region,
        key_id=keys.key_id("data"), key_grants=keys.grants["data"],
        keep_images=config.registry.keep_images), opts=opts)

    cluster = GpuCluster("cluster", GpuClusterArgs(
        cluster_name=prefix, project=project, location=region,
        kubernetes_version=config.cluster.kubernetes_version,
        network_id=network.network.id, subnet_id=network.subnet.id,
        pods_range=PODS_RANGE, services_range=SERVICES_RANGE,
        internal_cidrs=(config.network.cidr,),
        secrets_key_id=keys.key_id("secrets"), volumes_key_id=keys.key_id("volumes"),
        key_grants=(*keys.grants["secrets"], *keys.grants["volumes"]),
        system_pool=_spec("system", config.system_pool, None),
        gpu_pools=tuple(_spec(p.name, p, p.accelerator) for p in config.cluster.gpu_pools),
        endpoint_public_access=config.cluster.endpoint_public_access,
        public_access_cidrs=tuple(config.cluster.public_access_cidrs),
        release_channel="STABLE" if prod else "REGULAR",
        deletion_protection=prod), opts=opts)
    registry.grant_reader("registry-nodes", cluster.node_account.member)

    identities = {
        model.name: WorkloadIdentity(f"model-{model.name}", WorkloadIdentityArgs(
            project=project, account_id=physical_name(prefix, model.name, max_len=30),
            namespace=MODELS_NAMESPACE, service_account=model.name,
            bucket=stores[locations[model.name]].bucket.name, key_id=keys.key_id("data")),
            opts=opts)
        for model in config.models
    }
    for model in config.models:
        for store in model.data_stores:
            health.grant_reader(f"model-{model.name}-{store}", store,
                                identities[model.name].account.member)
    return GcpPlatform(services, keys, network, stores, registry, cluster, identities, health)
