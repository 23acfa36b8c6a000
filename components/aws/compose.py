"""Compose the AWS building blocks of one `Platform` from its `PlatformConfig`."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urlparse

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native
from medinfra.components.aws.access_logs import AccessLogBucket, AccessLogBucketArgs
from medinfra.components.aws.data_store import DataStore, DataStoreArgs
from medinfra.components.aws.gpu_cluster import GpuCluster, GpuClusterArgs, NodePoolSpec
from medinfra.components.aws.health_audit import HealthAudit, HealthAuditArgs
from medinfra.components.aws.health_store import HealthStore, HealthStoreArgs
from medinfra.components.aws.identity import WorkloadIdentity, WorkloadIdentityArgs
from medinfra.components.aws.keys import Keys, KeysArgs
from medinfra.components.aws.network import Network, NetworkArgs
from medinfra.components.aws.registry import Registry, RegistryArgs
from medinfra.components.config import (
    HIPAA_RETENTION_DAYS,
    MIN_LOG_RETENTION_DAYS,
    MODELS_NAMESPACE,
    PlatformConfig,
)
from medinfra.components.config.serving import model_places
from medinfra.components.k8s.compose import ModelIdentity, ServingTarget
from medinfra.components.naming import physical_name
from medinfra.components.tagging import required_tags, tag_transformation


@dataclass
class AwsPlatform:
    """What the AWS platform exposes to the serving layer."""

    keys: Keys
    network: Network
    stores: dict[str, DataStore]
    registry: Registry
    cluster: GpuCluster
    identities: dict[str, WorkloadIdentity]
    health_stores: dict[str, HealthStore]

    @property
    def serving(self) -> ServingTarget:
        """The cloud-neutral outputs model serving builds on."""
        return ServingTarget(
            provider=self.cluster.provider,
            gpu_node_selector=self.cluster.gpu_node_selector,
            gpu_tolerations=self.cluster.gpu_tolerations,
            identities={name: ModelIdentity(identity.service_account_annotations)
                        for name, identity in self.identities.items()},
            image_repository=self.registry.repository_url,
        )

    def exports(self) -> dict[str, object]:
        """Stack outputs (the kubeconfig stays secret)."""
        return {
            "clusterName": self.cluster.cluster.name,
            "kubeconfig": self.cluster.kubeconfig,
            "registryUrl": self.registry.repository_url,
            "buckets": {n: s.bucket.bucket for n, s in self.stores.items()},
            **({"healthStores": {n: s.arn for n, s in self.health_stores.items()}}
               if self.health_stores else {}),
        }


def tag_transformations(tags: dict[str, str]) -> list:
    """Every `aws:` resource with a `tags` input gets the stack's tags."""
    return [tag_transformation(tags, "aws:", "tags")]


def store_bucket_names(prefix: str, config: PlatformConfig) -> dict[str, str]:
    """Store name -> physical bucket name."""
    return {s.name: physical_name(prefix, s.name) for s in config.object_stores}


def model_locations(prefix: str, config: PlatformConfig) -> tuple[dict, list[tuple[str, str]]]:
    """Model name -> (store name, object prefix); and problems for URIs outside our stores."""
    buckets = {v: k for k, v in store_bucket_names(prefix, config).items()}

    def locate(storage_uri: str) -> tuple[str, str] | None:
        uri = urlparse(storage_uri)
        if uri.scheme != "s3" or uri.netloc not in buckets:
            return None
        return buckets[uri.netloc], uri.path.strip("/")

    places, problems = model_places(
        config.models, locate, f"s3://{{{', '.join(sorted(buckets))}}}/...")
    # The identity reads the common prefix of the versions that get traffic.
    found = {name: (next(iter(p))[0], posixpath.commonpath([path for _, path in p]))
             for name, p in places.items()}
    return found, problems


def build(parent: pulumi.Resource, config: PlatformConfig, prefix: str) -> AwsPlatform:
    """Create keys, network, stores, registry, cluster and identities under `parent`."""
    from medinfra.components.validation import raise_if_invalid

    locations, problems = model_locations(prefix, config)
    raise_if_invalid("medinfra:aws:Platform", prefix, problems)

    provider = aws.Provider("aws", region=config.region, opts=pulumi.ResourceOptions(parent=parent))
    providers = [provider]
    if config.health_stores:
        # HealthImaging and HealthLake exist only in the Cloud Control (aws-native) provider.
        providers.append(aws_native.Provider(
            "aws-native", region=config.region, opts=pulumi.ResourceOptions(parent=parent)))
    opts = pulumi.ResourceOptions(parent=parent, providers=providers)
    prod = config.is_prod
    retention = HIPAA_RETENTION_DAYS if prod else MIN_LOG_RETENTION_DAYS

    keys = Keys("keys", KeysArgs(prefix=prefix, region=config.region,
                                 audit_trail=bool(config.health_stores)), opts=opts)
    network = Network(
        "network",
        NetworkArgs(
            cidr=config.network.cidr,
            region=config.region,
            zones=config.availability_zones,
            nat_per_zone=prod,
            flow_log_key_arn=keys.arn("logs"),
            log_retention_days=retention,
        ),
        opts=opts,
    )

    names = store_bucket_names(prefix, config)
    log_bucket = physical_name(prefix, "access-logs")
    AccessLogBucket(
        "access-logs",
        AccessLogBucketArgs(
            bucket_name=log_bucket,
            source_bucket_names=tuple(names.values()),
            retention_days=HIPAA_RETENTION_DAYS,
        ),
        opts=opts,
    )
    stores = {
        store.name: DataStore(
            store.name,
            DataStoreArgs(
                bucket_name=names[store.name],
                key_arn=keys.arn("data"),
                access_log_bucket=log_bucket,
                retention_days=config.retention_days(store),
                compliance_mode=prod and config.is_phi,
            ),
            opts=opts,
        )
        for store in config.object_stores
    }
    tags = required_tags(config, pulumi.get_project(), pulumi.get_stack())
    health = {
        store.name: HealthStore(
            store.name,
            HealthStoreArgs(
                kind=store.kind,
                store_name=physical_name(prefix, store.name),
                store_tag=f"{prefix}/{store.name}",
                key_arn=keys.arn("data"),
                tags=tags,
            ),
            opts=opts,
        )
        for store in config.health_stores
    }
    if health:
        HealthAudit(
            "health-audit",
            HealthAuditArgs(
                name=f"{prefix}-health-data-events",
                kinds=tuple(s.kind for s in config.health_stores),
                key_arn=keys.arn("logs"),
                retention_days=HIPAA_RETENTION_DAYS,
            ),
            opts=opts,
        )
    registry = Registry(
        "registry",
        RegistryArgs(
            repository_name=f"{prefix}/{config.registry.name}",
            key_arn=keys.arn("data"),
            keep_images=config.registry.keep_images,
        ),
        opts=opts,
    )

    def spec(name: str, pool, gpu: bool) -> NodePoolSpec:
        return NodePoolSpec(
            name=name,
            instance_type=pool.instance_type,
            min_size=pool.min_size,
            max_size=pool.max_size,
            desired_size=pool.desired,
            disk_size_gb=pool.disk_size_gb,
            gpu=gpu,
        )

    cluster = GpuCluster(
        "cluster",
        GpuClusterArgs(
            cluster_name=prefix,
            kubernetes_version=config.cluster.kubernetes_version,
            subnet_ids=network.private_subnet_ids,
            service_cidr=config.network.service_cidr,
            secrets_key_arn=keys.arn("secrets"),
            logs_key_arn=keys.arn("logs"),
            volumes_key_arn=keys.arn("volumes"),
            system_pool=spec("system", config.system_pool, gpu=False),
            gpu_pools=tuple(spec(p.name, p, gpu=True) for p in config.cluster.gpu_pools),
            endpoint_public_access=config.cluster.endpoint_public_access,
            public_access_cidrs=tuple(config.cluster.public_access_cidrs),
            log_retention_days=retention,
            deletion_protection=prod,
        ),
        opts=opts,
    )

    identities = {
        model.name: WorkloadIdentity(
            f"model-{model.name}",
            WorkloadIdentityArgs(
                namespace=MODELS_NAMESPACE,
                service_account=model.name,
                cluster_name=cluster.cluster.name,
                bucket_arn=stores[locations[model.name][0]].arn,
                prefix=locations[model.name][1],
                key_alias=keys.alias("data"),
                health_stores=tuple(
                    (health[n].kind, f"{prefix}/{n}") for n in model.data_stores
                ),
            ),
            opts=opts,
        )
        for model in config.models
    }
    return AwsPlatform(keys, network, stores, registry, cluster, identities, health)
