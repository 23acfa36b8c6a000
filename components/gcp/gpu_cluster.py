"""`GpuCluster`: a private GKE Standard cluster with a system pool and tainted GPU pools."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s
from medinfra.components import PACKAGE
from medinfra.components.config import (
    ACCELERATOR_LABEL,
    GPU_LABEL,
    GPU_RESOURCE,
    POOL_LABEL,
    gcp_accelerators,
)
from medinfra.components.config.catalogue import gcp_family
from medinfra.components.naming import physical_name
from medinfra.components.validation import endpoint_problems, raise_if_invalid

GPU_TAINT = {"key": GPU_RESOURCE, "value": "present", "effect": "NO_SCHEDULE"}
RELEASE_CHANNELS = ("RAPID", "REGULAR", "STABLE")
#: Control-plane and workload logs and metrics (HIPAA 164.312(b) audit controls).
LOG_COMPONENTS = ("SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS")
METRIC_COMPONENTS = ("SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER",
                     "STORAGE", "POD", "DEPLOYMENT")
#: The single predefined role a GKE node needs (logs, metrics, metadata), nothing else.
NODE_ROLE = "roles/container.defaultNodeServiceAccount"
_G2_GPUS = {"g2-standard-24": 2, "g2-standard-48": 4, "g2-standard-96": 8}


def accelerator_count(machine_type: str) -> int:
    """GPUs a machine type carries: a2/a3 say so in the name (-8g), g2 by size, n1 gets one."""
    found = re.search(r"-(\d+)g$", machine_type)
    if found:
        return int(found.group(1))
    return _G2_GPUS.get(machine_type, 1)


@dataclass(frozen=True, kw_only=True)
class NodePoolSpec:
    """One GKE node pool (sizes are totals over the region's zones)."""

    name: str
    machine_type: str
    min_size: int
    max_size: int
    desired_size: int
    disk_size_gb: int
    accelerator: str | None = None
    """GPU type (e.g. nvidia-l4); None for a CPU pool."""


@dataclass(frozen=True, kw_only=True)
class GpuClusterArgs:
    """Inputs of `GpuCluster`."""

    cluster_name: str
    """GKE cluster name."""
    project: str
    """Project (its workload identity pool is PROJECT.svc.id.goog)."""
    location: str
    """Region: a regional cluster, control plane and nodes spread over its zones."""
    kubernetes_version: str
    """Minimum Kubernetes minor version, e.g. 1.33 (the release channel upgrades)."""
    network_id: pulumi.Input[str]
    """VPC."""
    subnet_id: pulumi.Input[str]
    """Node subnet, with the pod and service secondary ranges."""
    pods_range: str
    """Name of the subnet's secondary range for pods."""
    services_range: str
    """Name of the subnet's secondary range for services."""
    internal_cidrs: tuple[str, ...]
    """Private ranges that may reach the private endpoint (the platform network)."""
    secrets_key_id: pulumi.Input[str]
    """Cloud KMS key for application-layer encryption of Kubernetes secrets."""
    volumes_key_id: pulumi.Input[str]
    """Cloud KMS key for node boot disks."""
    key_grants: Sequence[pulumi.Resource] = ()
    """Grants that let the GKE and Compute agents use the keys (created first)."""
    system_pool: NodePoolSpec
    """Pool for system add-ons."""
    gpu_pools: tuple[NodePoolSpec, ...] = ()
    """GPU pools, tainted so only GPU workloads land there."""
    master_cidr: str = "172.16.0.0/28"
    """/28 for the control plane's private endpoint; must not overlap the network."""
    # CIS GKE 5.6.4: the endpoint is private unless explicitly opened to named ranges.
    endpoint_public_access: bool = False
    """Give the control plane a public endpoint (needs public_access_cidrs)."""
    public_access_cidrs: tuple[str, ...] = ()
    """Who may reach a public endpoint; never 0.0.0.0/0."""
    release_channel: str = "REGULAR"
    """GKE release channel (security patches arrive automatically)."""
    deletion_protection: bool = True
    """Refuse to delete the cluster until this is turned off."""


def _validate(args: GpuClusterArgs) -> list[tuple[str, str]]:
    problems = endpoint_problems(
        args.endpoint_public_access, args.public_access_cidrs, "publicAccessCidrs"
    )
    try:
        master = ipaddress.IPv4Network(args.master_cidr)
        if master.prefixlen != 28 or not master.is_private:
            problems.append(("masterCidr", f"{args.master_cidr}: must be a private /28"))
    except ValueError:
        problems.append(("masterCidr", f"{args.master_cidr!r} is not a CIDR"))
    if args.release_channel not in RELEASE_CHANNELS:
        problems.append(("releaseChannel", f"{args.release_channel!r}: one of {RELEASE_CHANNELS}"))
    pools = [("systemPool", args.system_pool)] + [
        (f"gpuPools[{i}]", p) for i, p in enumerate(args.gpu_pools)
    ]
    for path, pool in pools:
        if pool.min_size > pool.max_size:
            problems.append((f"{path}.minSize", f"{pool.min_size} > maxSize {pool.max_size}"))
        if not pool.min_size <= pool.desired_size <= pool.max_size:
            problems.append((f"{path}.desiredSize", "must be within minSize..maxSize"))
    for i, pool in enumerate(args.gpu_pools):
        family = gcp_family(pool.machine_type)
        offered = gcp_accelerators(pool.machine_type) or frozenset()
        if pool.accelerator not in offered:
            allowed = ", ".join(sorted(offered)) or "none (not a GPU machine family)"
            problems.append((f"gpuPools[{i}].accelerator",
                             f"{pool.accelerator!r} is not offered on {pool.machine_type}; "
                             f"{family} offers {allowed}"))
    return problems


def kubeconfig(name: str, endpoint: str, ca_data: str) -> str:
    """A kubeconfig that authenticates with gke-gcloud-auth-plugin (no static credentials)."""
    return json.dumps({
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": name,
        "clusters": [{"name": name, "cluster": {
            "server": f"https://{endpoint}", "certificate-authority-data": ca_data}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "users": [{"name": name, "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "gke-gcloud-auth-plugin",
            "provideClusterInfo": True,
            "installHint": "gcloud components install gke-gcloud-auth-plugin",
        }}}],
    })


class GpuCluster(pulumi.ComponentResource):
    """GKE Standard: private nodes and endpoint, workload identity, shielded nodes, CMEK
    secrets and boot disks, Binary Authorization, Dataplane V2, audit logs; a dedicated node
    service account; a system pool and GPU pools with the driver installed and tainted."""

    def __init__(self, name: str, args: GpuClusterArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:gcp:GpuCluster", name, _validate(args))
        super().__init__(f"{PACKAGE}:gcp:GpuCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # CIS GKE 5.2.1: nodes do not run as the Compute Engine default service account.
        self.node_account = gcp.serviceaccount.Account(
            f"{name}-nodes", account_id=physical_name(args.cluster_name, "nodes", max_len=30),
            display_name=f"GKE nodes of {args.cluster_name}", opts=child)
        node_role = gcp.projects.IAMMember(
            f"{name}-nodes", project=args.project, role=NODE_ROLE,
            member=self.node_account.member, opts=child)
        authorized = [{"cidr_block": c, "display_name": "platform network"}
                      for c in args.internal_cidrs]
        authorized += [{"cidr_block": c, "display_name": f"operator range {i}"}
                       for i, c in enumerate(args.public_access_cidrs)]
        self.cluster = gcp.container.Cluster(
            name,
            name=args.cluster_name,
            location=args.location,
            min_master_version=args.kubernetes_version,
            release_channel={"channel": args.release_channel},
            network=args.network_id,
            subnetwork=args.subnet_id,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy={"cluster_secondary_range_name": args.pods_range,
                                  "services_secondary_range_name": args.services_range},
            # Nodes have no public IPs; the endpoint is private unless explicitly opened.
            private_cluster_config={
                "enable_private_nodes": True,
                "enable_private_endpoint": not args.endpoint_public_access,
                "master_ipv4_cidr_block": args.master_cidr,
                "master_global_access_config": {"enabled": False},
            },
            master_authorized_networks_config={
                "cidr_blocks": authorized, "gcp_public_cidrs_access_enabled": False},
            # CIS GKE 5.8: no basic auth, no client certificates, no legacy ABAC.
            master_auth={"client_certificate_config": {"issue_client_certificate": False}},
            enable_legacy_abac=False,
            # Pods get Google credentials only through workload identity.
            workload_identity_config={"workload_pool": f"{args.project}.svc.id.goog"},
            # HIPAA 164.312(a)(2)(iv): secrets in etcd encrypted with the stack's key.
            database_encryption={"state": "ENCRYPTED", "key_name": args.secrets_key_id},
            enable_shielded_nodes=True,
            # Only images that satisfy the project's Binary Authorization policy run.
            binary_authorization={"evaluation_mode": "PROJECT_SINGLETON_POLICY_ENFORCE"},
            # Dataplane V2 enforces NetworkPolicy (the models namespace is default-deny).
            datapath_provider="ADVANCED_DATAPATH",
            # ...which replaces the Calico add-on: GKE requires it off with Dataplane V2.
            network_policy={"enabled": False},
            # Pod-to-pod traffic on one node also reaches the VPC flow logs (HIPAA 164.312(b)).
            enable_intranode_visibility=True,
            logging_config={"enable_components": list(LOG_COMPONENTS)},
            monitoring_config={"enable_components": list(METRIC_COMPONENTS),
                               "managed_prometheus": {"enabled": True}},
            security_posture_config={"mode": "BASIC", "vulnerability_mode": "VULNERABILITY_BASIC"},
            # The default pool is replaced by the pools below; it is hardened while it exists.
            remove_default_node_pool=True,
            initial_node_count=1,
            node_config=self._node_config(args, None),
            deletion_protection=args.deletion_protection,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.key_grants)),
        )
        self.node_pools = [
            self._node_pool(name, args, pool, [node_role, *args.key_grants])
            for pool in (args.system_pool, *args.gpu_pools)
        ]
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(self.cluster.name, self.cluster.endpoint,
                              self.cluster.master_auth.cluster_ca_certificate)
            .apply(lambda a: kubeconfig(*a)))
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig,
                                     opts=pulumi.ResourceOptions(parent=self,
                                                                 depends_on=self.node_pools))
        #: Where GPU workloads must go, and the toleration that lets them.
        self.gpu_node_selector = {GPU_LABEL: "true"}
        self.gpu_tolerations = [
            {"key": GPU_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}]
        self.register_outputs({
            "clusterName": self.cluster.name,
            "endpoint": self.cluster.endpoint,
            "kubeconfig": self.kubeconfig,
            "gpuNodeSelector": self.gpu_node_selector,
            "gpuTolerations": self.gpu_tolerations,
        })

    def _node_config(self, args: GpuClusterArgs, pool: NodePoolSpec | None) -> dict:
        config = {
            "service_account": self.node_account.email,
            "oauth_scopes": ["https://www.googleapis.com/auth/cloud-platform"],
            "image_type": "COS_CONTAINERD",
            "boot_disk_kms_key": args.volumes_key_id,
            "disk_type": "pd-balanced",
            # CIS GKE 5.5.5 / 5.5.6: secure boot and integrity monitoring.
            "shielded_instance_config": {"enable_secure_boot": True,
                                         "enable_integrity_monitoring": True},
            # CIS GKE 5.4.1: the node's metadata (and its credentials) stay hidden from pods.
            "workload_metadata_config": {"mode": "GKE_METADATA"},
            "metadata": {"disable-legacy-endpoints": "true"},
        }
        if pool is None:
            return config
        config |= {"machine_type": pool.machine_type, "disk_size_gb": pool.disk_size_gb,
                   "labels": {POOL_LABEL: pool.name}}
        if pool.accelerator:
            config["labels"] |= {GPU_LABEL: "true", ACCELERATOR_LABEL: pool.accelerator}
            config["taints"] = [GPU_TAINT]
            config["guest_accelerators"] = [{
                "type": pool.accelerator,
                "count": accelerator_count(pool.machine_type),
                # GKE installs and updates the NVIDIA driver (and runs its device plugin).
                "gpu_driver_installation_config": {"gpu_driver_version": "LATEST"},
            }]
        return config

    def _node_pool(self, name: str, args: GpuClusterArgs, pool: NodePoolSpec,
                   depends_on: list) -> gcp.container.NodePool:
        return gcp.container.NodePool(
            f"{name}-{pool.name}",
            name=pool.name,
            cluster=self.cluster.id,
            location=args.location,
            # Per zone at creation; the autoscaler keeps the pool within the totals.
            initial_node_count=1 if pool.desired_size else 0,
            autoscaling={"total_min_node_count": pool.min_size,
                         "total_max_node_count": pool.max_size,
                         "location_policy": "BALANCED" if not pool.accelerator else "ANY"},
            management={"auto_repair": True, "auto_upgrade": True},
            upgrade_settings={"strategy": "SURGE", "max_surge": 1, "max_unavailable": 0},
            node_config=self._node_config(args, pool),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )
