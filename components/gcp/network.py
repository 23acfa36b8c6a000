"""`Network`: a custom-mode VPC with one private regional subnet, Cloud NAT and flow logs."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

PODS_RANGE = "pods"
SERVICES_RANGE = "services"


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Inputs of `Network`."""

    name: str
    """VPC name (the subnet, router and NAT are named after it)."""
    region: str
    """Region of the subnet, router and NAT."""
    cidr: str
    """Primary range of the node subnet."""
    pod_cidr: str
    """Secondary range for pods (VPC-native GKE)."""
    service_cidr: str
    """Secondary range for Kubernetes services."""
    # CIS GCP 3.8 / HIPAA 164.312(b): every flow sampled, with metadata, every 5 seconds.
    flow_sampling: float = 1.0
    """Fraction of flows the subnet's flow logs record (0.1-1.0)."""


def _validate(args: NetworkArgs) -> list[tuple[str, str]]:
    problems, nets = [], {}
    for path, cidr in (("cidr", args.cidr), ("podCidr", args.pod_cidr),
                       ("serviceCidr", args.service_cidr)):
        try:
            nets[path] = ipaddress.IPv4Network(cidr)
        except ValueError:
            problems.append((path, f"{cidr!r} is not a CIDR"))
    names = sorted(nets)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if nets[a].overlaps(nets[b]):
                problems.append((b, f"{nets[b]} overlaps {a} {nets[a]}"))
    if not 0.1 <= args.flow_sampling <= 1.0:
        problems.append(("flowSampling", f"{args.flow_sampling}: must be 0.1 to 1.0"))
    return problems


class Network(pulumi.ComponentResource):
    """Custom-mode VPC (no auto subnets), a subnet with private Google access and pod/service
    secondary ranges, flow logs, Cloud Router + NAT for egress without public node IPs, and a
    logged default-deny ingress firewall rule."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:gcp:Network", name, _validate(args))
        super().__init__(f"{PACKAGE}:gcp:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.network = gcp.compute.Network(
            name,
            name=args.name,
            # CIS GCP 3.1: no default network, no auto-created subnets in every region.
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            opts=child,
        )
        self.subnet = gcp.compute.Subnetwork(
            name,
            name=f"{args.name}-nodes",
            network=self.network.id,
            region=args.region,
            ip_cidr_range=args.cidr,
            secondary_ip_ranges=[
                {"range_name": PODS_RANGE, "ip_cidr_range": args.pod_cidr},
                {"range_name": SERVICES_RANGE, "ip_cidr_range": args.service_cidr},
            ],
            # Nodes without public IPs still reach Google APIs (GCS, Artifact Registry, KMS).
            private_ip_google_access=True,
            log_config={
                "aggregation_interval": "INTERVAL_5_SEC",
                "flow_sampling": args.flow_sampling,
                "metadata": "INCLUDE_ALL_METADATA",
            },
            stack_type="IPV4_ONLY",
            opts=child,
        )
        router = gcp.compute.Router(
            name, name=f"{args.name}-router", network=self.network.id, region=args.region,
            opts=child,
        )
        gcp.compute.RouterNat(
            name,
            name=f"{args.name}-nat",
            router=router.name,
            region=args.region,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[{"name": self.subnet.id, "source_ip_ranges_to_nats": ["ALL_IP_RANGES"]}],
            log_config={"enable": True, "filter": "ALL"},
            opts=child,
        )
        # Explicit, logged deny of all ingress (just above the implied rule); GKE adds the
        # narrower allows it needs (control plane to nodes) at higher priority.
        self.deny_ingress = gcp.compute.Firewall(
            f"{name}-deny-all-ingress",
            name=f"{args.name}-deny-all-ingress",
            network=self.network.id,
            direction="INGRESS",
            priority=65534,
            source_ranges=["0.0.0.0/0"],
            denies=[{"protocol": "all"}],
            log_config={"metadata": "INCLUDE_ALL_METADATA"},
            opts=child,
        )
        self.register_outputs({"network": self.network.id, "subnet": self.subnet.id})
