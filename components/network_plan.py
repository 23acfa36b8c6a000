"""Subnet maths (pure): carve a private network range into per-zone subnets."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

MAX_ZONES = 6


@dataclass(frozen=True)
class SubnetPlan:
    """Private (workload) and public (NAT / load balancer only) subnets, one per zone."""

    private: tuple[str, ...]
    public: tuple[str, ...]


def plan_subnets(cidr: str, zones: int) -> SubnetPlan:
    """Split `cidr` into eighths: the first `zones` eighths are private subnets, the last
    eighth is split into eighths again for small public subnets.

    A /16 gives /19 private and /22 public subnets. Valid for prefixes /16 to /22 (the public
    subnets stay at least /28, the smallest AWS allows) and 1 to 6 zones.
    """
    net = ipaddress.IPv4Network(cidr, strict=True)
    if not 16 <= net.prefixlen <= 22:
        raise ValueError(f"{cidr}: the network prefix must be /16 to /22")
    if not 1 <= zones <= MAX_ZONES:
        raise ValueError(f"{zones} zones: must be 1 to {MAX_ZONES}")
    eighths = list(net.subnets(prefixlen_diff=3))
    public = list(eighths[-1].subnets(prefixlen_diff=3))
    return SubnetPlan(
        private=tuple(str(s) for s in eighths[:zones]),
        public=tuple(str(s) for s in public[:zones]),
    )
