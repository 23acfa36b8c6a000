"""`medinfra preflight`: will the GPU platform fit in this account and region?

The most common first-deploy failure of a GPU platform is capacity, not policy: the instance
type is not offered in a chosen zone, or the account's vCPU quota for G/P instances is below
what the node pools may scale to. Each check compares a number and says which. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medinfra.audit.aws_client import AwsClients

# Service Quotas codes of EC2's per-family vCPU limits for on-demand instances.
FAMILY_QUOTAS = {
    "G and VT": "L-DB2E81BA",  # Running On-Demand G and VT instances
    "P": "L-417A185B",  # Running On-Demand P instances
}

# Pulumi package module -> the regional AWS service it needs (IAM and STS are global).
SERVICES = {"s3": "s3", "kms": "kms", "ecr": "ecr", "eks": "eks", "ec2": "ec2",
            "cloudwatch": "logs"}


@dataclass
class Check:
    """One preflight check: what was checked, whether it passed, and the numbers compared."""

    name: str
    passed: bool
    compared: str

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.name, "passed": self.passed, "compared": self.compared}


def family_of(instance_type: str) -> str | None:
    """The vCPU-quota family of an instance type (g4dn.xlarge -> 'G and VT')."""
    prefix = instance_type.split(".", 1)[0].lower()
    if prefix.startswith(("g", "vt")):
        return "G and VT"
    if prefix.startswith("p"):
        return "P"
    return None


def gpu_pools(planned: dict) -> list[dict[str, Any]]:
    """Each GPU pool of the stack with the availability zones its nodes may run in."""
    config = planned.get("config") or {}
    pools = ((config.get("cluster") or {}).get("gpuPools")) or []
    by_urn = {r["urn"]: r for r in planned["resources"]}
    groups = {r["props"].get("nodeGroupName"): r for r in planned["resources"]
              if r["type"] == "aws:eks/nodeGroup:NodeGroup"}
    out = []
    for pool in pools:
        group = groups.get(pool.get("name"), {})
        zones = sorted({
            by_urn[urn]["props"].get("availabilityZone")
            for path, urn in (group.get("references") or {}).items()
            if path.startswith("/subnetIds/") and urn in by_urn
        } - {None})
        out.append({**pool, "zones": zones})
    return out


def region_check(planned: dict, region: str) -> Check:
    allowed = (planned.get("config") or {}).get("allowedRegions") or []
    return Check("region in allowedRegions", region in allowed,
                 f"{region} in [{', '.join(allowed)}]")


def services_check(planned: dict, region: str, aws: AwsClients) -> Check:
    needed = sorted({
        SERVICES[r["type"].split(":")[1].split("/")[0]] for r in planned["resources"]
        if r["type"].startswith("aws:") and r["type"].split(":")[1].split("/")[0] in SERVICES
    })
    path = f"/aws/service/global-infrastructure/regions/{region}/services"
    offered = {p["Value"] for p in aws.pages("ssm", "get_parameters_by_path", "Parameters",
                                             Path=path)}
    missing = [s for s in needed if s not in offered]
    return Check(f"services available in {region}", not missing,
                 f"{len(needed) - len(missing)}/{len(needed)} available"
                 + (f"; missing: {', '.join(missing)}" if missing else f" ({', '.join(needed)})"))


def offering_checks(pools: list[dict], aws: AwsClients) -> list[Check]:
    checks = []
    for pool in pools:
        zones, itype = pool["zones"], pool.get("instanceType", "")
        if not zones:
            checks.append(Check(f"pool {pool.get('name')}: {itype} offered", False,
                                "no availability zone found for the pool's subnets"))
            continue
        offered = {
            o["Location"] for o in aws.pages(
                "ec2", "describe_instance_type_offerings", "InstanceTypeOfferings",
                LocationType="availability-zone",
                Filters=[{"Name": "instance-type", "Values": [itype]},
                         {"Name": "location", "Values": zones}],
            )
        }
        missing = [z for z in zones if z not in offered]
        checks.append(Check(
            f"pool {pool.get('name')}: {itype} offered in every zone", not missing,
            f"offered in {len(zones) - len(missing)}/{len(zones)} zones"
            + (f"; not in {', '.join(missing)}" if missing else f" ({', '.join(zones)})"),
        ))
    return checks


def _quota(aws: AwsClients, code: str) -> float:
    """The account's applied quota, else AWS's default for it."""
    applied = aws.call("service-quotas", "get_service_quota",
                       missing=("NoSuchResourceException",), ServiceCode="ec2", QuotaCode=code)
    if applied is None:
        applied = aws.call("service-quotas", "get_aws_default_service_quota",
                           ServiceCode="ec2", QuotaCode=code)
    return float(applied["Quota"]["Value"])


def quota_checks(pools: list[dict], aws: AwsClients) -> list[Check]:
    types = sorted({p.get("instanceType", "") for p in pools})
    if not types:
        return []
    answer = aws.call("ec2", "describe_instance_types", InstanceTypes=types)
    vcpus = {t["InstanceType"]: t["VCpuInfo"]["DefaultVCpus"] for t in answer["InstanceTypes"]}
    families: dict[str, list[dict]] = {}
    checks = []
    for pool in pools:
        family = family_of(pool.get("instanceType", ""))
        if family is None:
            checks.append(Check(f"pool {pool.get('name')}: vCPU quota", False,
                                f"{pool.get('instanceType')} is not a G, VT or P instance type"))
            continue
        families.setdefault(family, []).append(pool)
    for family, members in sorted(families.items()):
        need = sum(int(p.get("maxSize", 0)) * vcpus[p["instanceType"]] for p in members)
        have = _quota(aws, FAMILY_QUOTAS[family])
        terms = " + ".join(
            f"{p['maxSize']} x {p['instanceType']} ({vcpus[p['instanceType']]} vCPUs)"
            for p in members
        )
        checks.append(Check(
            f"vCPU quota, {family} instances ({FAMILY_QUOTAS[family]})", need <= have,
            f"need {need} = {terms}; quota {have:g}",
        ))
    return checks


def preflight(planned: dict, region: str, aws: AwsClients) -> list[Check]:
    """Every check for one planned AWS stack (raises AuditError if AWS cannot be read)."""
    pools = gpu_pools(planned)
    return [
        region_check(planned, region),
        services_check(planned, region, aws),
        *offering_checks(pools, aws),
        *quota_checks(pools, aws),
    ]


def table(checks: list[Check]) -> str:
    """The checks as a plain-text table."""
    width = max((len(c.name) for c in checks), default=5)
    lines = [f"{'check':<{width}}  result  compared", f"{'-' * width}  ------  --------"]
    for c in checks:
        lines.append(f"{c.name:<{width}}  {'pass' if c.passed else 'FAIL':<6}  {c.compared}")
    return "\n".join(lines)
