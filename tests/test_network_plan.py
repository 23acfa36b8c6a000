"""Subnet maths: every subnet inside the network, none overlapping, one of each per zone."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st
from medinfra.components.network_plan import plan_subnets


@st.composite
def networks(draw):
    """Any /16 to /22 inside 10.0.0.0/8."""
    prefix = draw(st.integers(16, 22))
    index = draw(st.integers(0, 2 ** (prefix - 8) - 1))
    return str(ipaddress.IPv4Network(((10 << 24) | (index << (32 - prefix)), prefix)))


@given(networks(), st.integers(1, 6))
def test_subnets_are_inside_disjoint_and_one_per_zone(cidr, zones):
    plan = plan_subnets(cidr, zones)
    net = ipaddress.IPv4Network(cidr)
    subnets = [ipaddress.IPv4Network(s) for s in plan.private + plan.public]
    assert len(plan.private) == len(plan.public) == zones
    for s in subnets:
        assert s.subnet_of(net)
        assert s.prefixlen <= 28  # AWS's smallest subnet
    for i, a in enumerate(subnets):
        for b in subnets[i + 1 :]:
            assert not a.overlaps(b)
    assert min(ipaddress.IPv4Network(s).num_addresses for s in plan.private) > max(
        ipaddress.IPv4Network(s).num_addresses for s in plan.public
    )


def test_a_16_gives_19_private_and_22_public_subnets():
    plan = plan_subnets("10.40.0.0/16", 3)
    assert plan.private == ("10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19")
    assert plan.public == ("10.40.224.0/22", "10.40.228.0/22", "10.40.232.0/22")


@pytest.mark.parametrize(
    ("cidr", "zones"),
    [("10.0.0.0/23", 2), ("10.0.0.0/15", 2), ("10.0.0.0/16", 7), ("10.0.0.0/16", 0)],
)
def test_out_of_range_inputs_are_rejected(cidr, zones):
    with pytest.raises(ValueError):
        plan_subnets(cidr, zones)
