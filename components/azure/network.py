"""`Network`: a VNet with node and private-endpoint subnets, default-deny NSGs, a NAT gateway
for egress and the private DNS zones of the private endpoints the platform uses."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

#: Private DNS zone per private-endpoint sub-resource the platform uses.
PRIVATE_ZONES = {
    "vault": "privatelink.vaultcore.azure.net",
    "blob": "privatelink.blob.core.windows.net",
    "registry": "privatelink.azurecr.io",
}


def subnet_ranges(cidr: str) -> dict[str, str]:
    """Nodes get the first half of the VNet (pods use an overlay range, not VNet addresses);
    private endpoints get the first quarter of the second half. The rest is left for growth."""
    net = ipaddress.IPv4Network(cidr, strict=True)
    low, high = net.subnets(prefixlen_diff=1)
    return {"nodes": str(low), "endpoints": str(next(high.subnets(prefixlen_diff=2)))}


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Inputs of `Network`."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the network."""
    location: str
    """Azure region."""
    name: str
    """Physical name prefix of the VNet and its parts."""
    cidr: str
    """VNet address space (/16 to /22)."""
    # No implicit outbound: nodes reach the internet only through the NAT gateway.
    nat_idle_timeout_minutes: int = 4
    """NAT gateway TCP idle timeout (4-120)."""


def _validate(args: NetworkArgs) -> list[tuple[str, str]]:
    problems = []
    try:
        net = ipaddress.IPv4Network(args.cidr, strict=True)
        if not 16 <= net.prefixlen <= 22:
            problems.append(("cidr", f"{args.cidr}: must be /16 to /22"))
    except ValueError:
        problems.append(("cidr", f"{args.cidr!r} is not a CIDR block"))
    if not 4 <= args.nat_idle_timeout_minutes <= 120:
        problems.append(("natIdleTimeoutMinutes", "must be 4 to 120"))
    return problems


class Network(pulumi.ComponentResource):
    """Private network: no public IPs on nodes, internet inbound denied on every subnet,
    egress through one NAT gateway, private DNS for Key Vault, Blob and ACR endpoints."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:azure:Network", name, _validate(args))
        super().__init__(f"{PACKAGE}:azure:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rg, location = args.resource_group_name, args.location
        self.vnet = azure.network.VirtualNetwork(
            name,
            resource_group_name=rg,
            location=location,
            virtual_network_name=args.name,
            address_space={"address_prefixes": [args.cidr]},
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["subnets"]),
        )
        ip = azure.network.PublicIPAddress(
            f"{name}-nat",
            resource_group_name=rg,
            location=location,
            public_ip_address_name=f"{args.name}-nat",
            sku={"name": "Standard", "tier": "Regional"},
            public_ip_allocation_method="Static",
            public_ip_address_version="IPv4",
            opts=child,
        )
        self.nat = azure.network.NatGateway(
            name,
            resource_group_name=rg,
            location=location,
            nat_gateway_name=args.name,
            sku={"name": "Standard"},
            idle_timeout_in_minutes=args.nat_idle_timeout_minutes,
            public_ip_addresses=[{"id": ip.id}],
            opts=child,
        )
        self.subnets: dict[str, azure.network.Subnet] = {}
        self.security_groups: dict[str, azure.network.NetworkSecurityGroup] = {}
        for purpose, prefix in subnet_ranges(args.cidr).items():
            nsg = azure.network.NetworkSecurityGroup(
                f"{name}-{purpose}",
                resource_group_name=rg,
                location=location,
                network_security_group_name=f"{args.name}-{purpose}",
                # Explicit, not only the platform default: nothing from the internet gets in.
                security_rules=[
                    {
                        "name": "deny-internet-inbound",
                        "priority": 4096,
                        "direction": "Inbound",
                        "access": "Deny",
                        "protocol": "*",
                        "source_address_prefix": "Internet",
                        "source_port_range": "*",
                        "destination_address_prefix": "*",
                        "destination_port_range": "*",
                    }
                ],
                opts=child,
            )
            self.security_groups[purpose] = nsg
            self.subnets[purpose] = azure.network.Subnet(
                f"{name}-{purpose}",
                resource_group_name=rg,
                virtual_network_name=self.vnet.name,
                subnet_name=purpose,
                address_prefix=prefix,
                network_security_group={"id": nsg.id},
                nat_gateway={"id": self.nat.id} if purpose == "nodes" else None,
                # No default outbound access: an address nobody chose is an address nobody audits.
                default_outbound_access=False,
                # NSGs apply to private endpoints too.
                private_endpoint_network_policies="Enabled",
                opts=child,
            )
        self.dns_zones: dict[str, azure.privatedns.PrivateZone] = {}
        for purpose, zone in PRIVATE_ZONES.items():
            self.dns_zones[purpose] = azure.privatedns.PrivateZone(
                f"{name}-{purpose}",
                resource_group_name=rg,
                location="global",
                private_zone_name=zone,
                opts=child,
            )
            azure.privatedns.VirtualNetworkLink(
                f"{name}-{purpose}",
                resource_group_name=rg,
                location="global",
                private_zone_name=self.dns_zones[purpose].name,
                virtual_network_link_name=args.name,
                virtual_network={"id": self.vnet.id},
                registration_enabled=False,
                opts=child,
            )
        self.register_outputs(
            {
                "vnetId": self.vnet.id,
                "subnetIds": {p: s.id for p, s in self.subnets.items()},
                "natGatewayId": self.nat.id,
            }
        )

    def subnet_id(self, purpose: str) -> pulumi.Output[str]:
        """Id of the `nodes` or `endpoints` subnet."""
        return self.subnets[purpose].id

    def dns_zone_id(self, purpose: str) -> pulumi.Output[str]:
        """Id of the private DNS zone for `vault`, `blob` or `registry` endpoints."""
        return self.dns_zones[purpose].id
