"""`Network`: a private VPC across zones, NAT egress, flow logs and private AWS endpoints."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from medinfra.components import PACKAGE
from medinfra.components.aws.known import Account
from medinfra.components.aws.policies import flow_logs_policy, service_trust_policy
from medinfra.components.config import MIN_LOG_RETENTION_DAYS
from medinfra.components.network_plan import MAX_ZONES, plan_subnets
from medinfra.components.validation import raise_if_invalid

#: Interface endpoints nodes need to pull images, get credentials and ship logs privately.
INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "sts", "kms", "logs", "ec2", "eks", "eks-auth")


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Inputs of `Network`."""

    cidr: str
    """VPC range (/16 to /22, private)."""
    region: str
    """Region of the VPC."""
    zones: int = 2
    """Availability zones to spread subnets over (>= 2; 3 in prod)."""
    nat_per_zone: bool = False
    """One NAT gateway per zone (prod: no cross-zone single point of failure)."""
    flow_log_key_arn: pulumi.Input[str]
    """KMS key encrypting the flow-log group."""
    log_retention_days: int = MIN_LOG_RETENTION_DAYS
    """Flow-log retention (HIPAA audit trail)."""


def _validate(args: NetworkArgs) -> list[tuple[str, str]]:
    problems = []
    if not 2 <= args.zones <= MAX_ZONES:
        problems.append(("zones", f"{args.zones}: must be 2 to {MAX_ZONES} (high availability)"))
    try:
        plan_subnets(args.cidr, min(max(args.zones, 1), MAX_ZONES))
    except ValueError as exc:
        problems.append(("cidr", str(exc)))
    if args.log_retention_days < 90:
        problems.append(("logRetentionDays", f"{args.log_retention_days}: must be >= 90"))
    return problems


class Network(pulumi.ComponentResource):
    """Private and public subnets per zone; only NAT gateways and load balancers are public."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:aws:Network", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        plan = plan_subnets(args.cidr, args.zones)
        zones = aws.get_availability_zones_output(
            state="available", opts=pulumi.InvokeOutputOptions(parent=self)
        ).names

        self.vpc = aws.ec2.Vpc(
            name,
            cidr_block=args.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            opts=child,
        )
        # CIS AWS 5.4: the default security group allows nothing.
        aws.ec2.DefaultSecurityGroup(name, vpc_id=self.vpc.id, ingress=[], egress=[], opts=child)
        igw = aws.ec2.InternetGateway(name, vpc_id=self.vpc.id, opts=child)

        public_rt = aws.ec2.RouteTable(f"{name}-public", vpc_id=self.vpc.id, opts=child)
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        self.public_subnets, self.private_subnets, private_rts, nats = [], [], [], []
        for i, (private_cidr, public_cidr) in enumerate(
            zip(plan.private, plan.public, strict=True)
        ):
            zone = zones[i]
            public = aws.ec2.Subnet(
                f"{name}-public-{i}",
                vpc_id=self.vpc.id,
                cidr_block=public_cidr,
                availability_zone=zone,
                # Nothing launched here gets a public IP by default; only NAT/ELB live here.
                map_public_ip_on_launch=False,
                tags={"kubernetes.io/role/elb": "1", "tier": "public"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{i}", subnet_id=public.id, route_table_id=public_rt.id, opts=child
            )
            private = aws.ec2.Subnet(
                f"{name}-private-{i}",
                vpc_id=self.vpc.id,
                cidr_block=private_cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={"kubernetes.io/role/internal-elb": "1", "tier": "private"},
                opts=child,
            )
            if i == 0 or args.nat_per_zone:
                eip = aws.ec2.Eip(f"{name}-nat-{i}", domain="vpc", opts=child)
                nats.append(
                    aws.ec2.NatGateway(
                        f"{name}-{i}", subnet_id=public.id, allocation_id=eip.id, opts=child
                    )
                )
            rt = aws.ec2.RouteTable(f"{name}-private-{i}", vpc_id=self.vpc.id, opts=child)
            aws.ec2.Route(
                f"{name}-private-{i}-default",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nats[-1].id,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{i}", subnet_id=private.id, route_table_id=rt.id, opts=child
            )
            self.public_subnets.append(public)
            self.private_subnets.append(private)
            private_rts.append(rt)

        self._flow_logs(name, args, child)
        self._endpoints(name, args, private_rts, child)
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in self.private_subnets])
        self.register_outputs({"vpcId": self.vpc.id, "privateSubnetIds": self.private_subnet_ids})

    def _flow_logs(self, name: str, args: NetworkArgs, child: pulumi.ResourceOptions) -> None:
        # HIPAA 164.312(b): every flow, accepted or rejected, to an encrypted, retained log.
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=f"/medinfra/{name}/vpc-flow-logs",
            kms_key_id=args.flow_log_key_arn,
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs",
            assume_role_policy=json.dumps(service_trust_policy("vpc-flow-logs.amazonaws.com")),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.id,
            # The group's ARN from its name: known in a first preview, unlike `group.arn`.
            policy=Account.of(self)
            .log_group_arn(group.name)
            .apply(lambda a: json.dumps(flow_logs_policy(a))),
            opts=child,
        )
        aws.ec2.FlowLog(
            name,
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            opts=child,
        )

    def _endpoints(
        self, name: str, args: NetworkArgs, route_tables: list, child: pulumi.ResourceOptions
    ) -> None:
        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[rt.id for rt in route_tables],
            opts=child,
        )
        sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            vpc_id=self.vpc.id,
            description="HTTPS from inside the VPC to AWS interface endpoints",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_blocks=[args.cidr],
                    description="HTTPS from the VPC",
                )
            ],
            opts=child,
        )
        for service in INTERFACE_ENDPOINTS:
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in self.private_subnets],
                security_group_ids=[sg.id],
                opts=child,
            )
