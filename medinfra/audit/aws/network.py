"""The VPC, subnets, route tables, security groups, endpoints and flow logs."""

from __future__ import annotations

from typing import Any

from medinfra.audit.aws.common import (
    ASSOCIATION,
    _autonamed,
    _rules,
    _tags,
)


class NetworkReads:
    """Reads of AwsReader: see the module docstring."""

    # -- EC2 --------------------------------------------------------------------------------

    def _stack_tag(self) -> str | None:
        for r in self.planned["resources"]:
            tag = (r.get("props", {}).get("tags") or {}).get("stack")
            if r["type"].startswith("aws:") and isinstance(tag, str):
                return tag
        return None

    def _vpc(self, r: dict) -> dict | None:
        tag = self._stack_tag()
        filters = [{"Name": "tag:stack", "Values": [tag]}] if tag else []
        vpc = next(
            (v for v in self.aws.pages("ec2", "describe_vpcs", "Vpcs", Filters=filters)
             if v.get("CidrBlock") == r["props"].get("cidrBlock")),
            None,
        )
        if vpc is None:
            return None
        return self._read_vpc(vpc, r)

    def _read_vpc(self, vpc: dict, r: dict) -> dict:
        vpc_id = vpc["VpcId"]
        props: dict[str, Any] = {"cidrBlock": vpc["CidrBlock"], "tags": _tags(vpc.get("Tags"))}
        for attribute, key in (("enableDnsHostnames", "EnableDnsHostnames"),
                               ("enableDnsSupport", "EnableDnsSupport")):
            answer = self.aws.call("ec2", "describe_vpc_attribute", VpcId=vpc_id,
                                   Attribute=attribute)
            props[attribute] = answer.get(key, {}).get("Value", False)
        if vpc.get("InstanceTenancy", "default") != "default":
            props["instanceTenancy"] = vpc["InstanceTenancy"]
        self._identify(r["urn"], vpc_id,
                       arn=f"arn:aws:ec2:{self.aws.region}:{self.account}:vpc/{vpc_id}")
        return props

    def _in_vpc(self, kind: str, vpc_id: str) -> list[dict]:
        cache = self.__dict__.setdefault("_vpc_items", {})
        if (kind, vpc_id) not in cache:
            method, key = {"subnet": ("describe_subnets", "Subnets"),
                           "sg": ("describe_security_groups", "SecurityGroups"),
                           "rt": ("describe_route_tables", "RouteTables"),
                           "endpoint": ("describe_vpc_endpoints", "VpcEndpoints")}[kind]
            cache[(kind, vpc_id)] = list(self.aws.pages(
                "ec2", method, key, Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
            ))
        return cache[(kind, vpc_id)]

    def _subnet(self, r: dict) -> dict | None:
        vpc_id = self._ref(r, "/vpcId")
        subnet = vpc_id and next(
            (s for s in self._in_vpc("subnet", vpc_id)
             if s["CidrBlock"] == r["props"].get("cidrBlock")),
            None,
        )
        if not subnet:
            return None
        self._identify(r["urn"], subnet["SubnetId"], arn=subnet.get("SubnetArn"))
        return {
            "availabilityZone": subnet["AvailabilityZone"],
            "cidrBlock": subnet["CidrBlock"],
            "mapPublicIpOnLaunch": subnet.get("MapPublicIpOnLaunch", False),
            "tags": _tags(subnet.get("Tags")),
            "vpcId": subnet["VpcId"],
        }

    def _route_table(self, r: dict) -> dict | None:
        """Found through the subnets the plan associates with it."""
        vpc_id = self._ref(r, "/vpcId")
        subnets = {
            self.primary.get(a.get("references", {}).get("/subnetId"))
            for a in self.planned["resources"]
            if a["type"] == ASSOCIATION and a.get("references", {}).get("/routeTableId") == r["urn"]
        } - {None}
        table = vpc_id and subnets and next(
            (t for t in self._in_vpc("rt", vpc_id)
             if subnets & {a.get("SubnetId") for a in t.get("Associations", [])}),
            None,
        )
        if not table:
            return None
        self._identify(r["urn"], table["RouteTableId"])
        return {"tags": _tags(table.get("Tags")), "vpcId": table["VpcId"]}

    def _association(self, r: dict) -> dict | None:
        table_id = self._ref(r, "/routeTableId")
        subnet_id = self._ref(r, "/subnetId")
        vpc_id = self.primary.get(self.by_urn.get(
            r.get("references", {}).get("/routeTableId"), {}).get("references", {}).get("/vpcId"))
        table = table_id and vpc_id and next(
            (t for t in self._in_vpc("rt", vpc_id) if t["RouteTableId"] == table_id), None
        )
        found = table and next(
            (a for a in table.get("Associations", []) if a.get("SubnetId") == subnet_id), None
        )
        if not found:
            return None
        self._identify(r["urn"], found.get("RouteTableAssociationId"))
        return {"routeTableId": table_id, "subnetId": subnet_id}

    def _endpoint(self, r: dict) -> dict | None:
        vpc_id = self._ref(r, "/vpcId")
        found = vpc_id and next(
            (e for e in self._in_vpc("endpoint", vpc_id)
             if e.get("ServiceName") == r["props"].get("serviceName")
             and e.get("State", "available").lower() not in ("deleted", "deleting")),
            None,
        )
        if not found:
            return None
        kind = found.get("VpcEndpointType", "Gateway")
        props: dict[str, Any] = {
            "serviceName": found["ServiceName"],
            "tags": _tags(found.get("Tags")),
            "vpcEndpointType": kind,
            "vpcId": found["VpcId"],
        }
        if kind == "Interface":
            props["privateDnsEnabled"] = found.get("PrivateDnsEnabled", False)
            props["securityGroupIds"] = [g["GroupId"] for g in found.get("Groups", [])]
            props["subnetIds"] = found.get("SubnetIds", [])
        else:
            props["routeTableIds"] = found.get("RouteTableIds", [])
        if found.get("PolicyDocument") and "policy" in r["props"]:
            props["policy"] = found["PolicyDocument"]
        self._identify(r["urn"], found["VpcEndpointId"])
        return props

    def _group_props(self, group: dict, r: dict) -> dict:
        props: dict[str, Any] = {
            "ingress": _rules(group.get("IpPermissions", [])),
            "tags": _tags(group.get("Tags")),
            "vpcId": group["VpcId"],
        }
        egress = _rules(group.get("IpPermissionsEgress", []))
        if egress or "egress" in r["props"]:
            props["egress"] = egress
        self._identify(r["urn"], group["GroupId"], arn=(
            f"arn:aws:ec2:{self.aws.region}:{self.account}:security-group/{group['GroupId']}"
        ))
        return props

    def _security_group(self, r: dict) -> dict | None:
        vpc_id = self._ref(r, "/vpcId")
        wanted = r["props"].get("name")
        group = vpc_id and next(
            (g for g in self._in_vpc("sg", vpc_id)
             if (g["GroupName"] == wanted if wanted else _autonamed(r["name"], g["GroupName"]))),
            None,
        )
        if not group:
            return None
        props = self._group_props(group, r)
        props["description"] = group.get("Description", "")
        if wanted:
            props["name"] = group["GroupName"]
        return props

    def _default_sg(self, r: dict) -> dict | None:
        vpc_id = self._ref(r, "/vpcId")
        group = vpc_id and next(
            (g for g in self._in_vpc("sg", vpc_id) if g["GroupName"] == "default"), None
        )
        return self._group_props(group, r) if group else None

    def _flow_log(self, r: dict) -> dict | None:
        vpc_id = self._ref(r, "/vpcId")
        logs = vpc_id and list(self.aws.pages(
            "ec2", "describe_flow_logs", "FlowLogs",
            Filters=[{"Name": "resource-id", "Values": [vpc_id]}],
        ))
        if not logs:
            return None
        log = logs[0]
        props: dict[str, Any] = {
            "logDestinationType": log.get("LogDestinationType", "cloud-watch-logs"),
            "maxAggregationInterval": log.get("MaxAggregationInterval", 600),
            "tags": _tags(log.get("Tags")),
            "trafficType": log.get("TrafficType"),
            "vpcId": log.get("ResourceId"),
        }
        destination = log.get("LogDestination") or (
            log.get("LogGroupName")
            and f"arn:aws:logs:{self.aws.region}:{self.account}:log-group:{log['LogGroupName']}"
        )
        if destination:
            props["logDestination"] = destination
        if log.get("DeliverLogsPermissionArn"):
            props["iamRoleArn"] = log["DeliverLogsPermissionArn"]
        self._identify(r["urn"], log["FlowLogId"])
        return props
