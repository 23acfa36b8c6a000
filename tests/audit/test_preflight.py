"""`medinfra preflight` on the moto server: GPU offerings per zone from moto's real offering
data; vCPU quotas through botocore's Stubber, because moto's Service Quotas knows only VPC."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from botocore.stub import Stubber

from medinfra.audit.aws_client import AwsClients, is_read
from medinfra.audit.base import AuditError
from medinfra.preflight import family_of, gpu_pools, preflight, table
from tests.audit.conftest import REGION
from tests.conftest import REPO

G_QUOTA = "L-DB2E81BA"


def _quota(clients: AwsClients, value: float | None, applied: float | None = None) -> Stubber:
    """Answer the G and VT quota: applied if given, else AWS's default `value`."""
    stub = Stubber(clients.client("service-quotas"))
    params = {"ServiceCode": "ec2", "QuotaCode": G_QUOTA}
    quota = {"ServiceCode": "ec2", "QuotaCode": G_QUOTA,
             "QuotaName": "Running On-Demand G and VT instances"}
    if applied is not None:
        stub.add_response("get_service_quota", {"Quota": {**quota, "Value": applied}}, params)
    else:
        stub.add_client_error("get_service_quota", "NoSuchResourceException",
                              expected_params=params)
        stub.add_response("get_aws_default_service_quota", {"Quota": {**quota, "Value": value}},
                          params)
    stub.activate()
    return stub


def _checks(planned, url, quota=64.0, applied=None):
    clients = AwsClients(REGION, url, 2)
    stub = _quota(clients, quota, applied)
    checks = preflight(planned, REGION, clients)
    stub.assert_no_pending_responses()
    return {c.name: c for c in checks}, clients


def test_the_dev_stack_passes_every_check(dev, moto_url):
    checks, clients = _checks(dev.document, moto_url)
    assert all(c.passed for c in checks.values()), table(list(checks.values()))
    offered = checks["pool t4: g4dn.xlarge offered in every zone"]
    assert offered.compared == "offered in 2/2 zones (us-east-1a, us-east-1b)"
    assert checks["services available in us-east-1"].compared.startswith("6/6 available")
    assert [c for c in clients.calls if not is_read(c.split(".", 1)[1])] == []
    assert "ec2.DescribeInstanceTypeOfferings" in clients.calls


def test_a_zone_that_does_not_offer_the_gpu_type_fails(dev, moto_url):
    planned = copy.deepcopy(dev.document)
    for r in planned["resources"]:
        if r["type"] == "aws:ec2/subnet:Subnet" and r["name"] == "network-private-1":
            r["props"]["availabilityZone"] = "us-east-1e"  # no g4dn.xlarge there
    checks, _ = _checks(planned, moto_url)
    offered = checks["pool t4: g4dn.xlarge offered in every zone"]
    assert not offered.passed
    assert offered.compared == "offered in 1/2 zones; not in us-east-1e"


def test_a_quota_below_what_the_pools_may_scale_to_fails(dev, moto_url):
    checks, _ = _checks(dev.document, moto_url, quota=4.0)
    quota = checks[f"vCPU quota, G and VT instances ({G_QUOTA})"]
    assert not quota.passed
    assert quota.compared == "need 8 = 2 x g4dn.xlarge (4 vCPUs); quota 4"


def test_a_quota_above_the_need_passes_and_an_applied_quota_wins(dev, moto_url):
    checks, _ = _checks(dev.document, moto_url, quota=None, applied=8.0)
    quota = checks[f"vCPU quota, G and VT instances ({G_QUOTA})"]
    assert quota.passed and quota.compared.endswith("quota 8")


def test_quotas_add_up_across_pools_of_one_family(dev, moto_url):
    planned = copy.deepcopy(dev.document)
    pools = planned["config"]["cluster"]["gpuPools"]
    pools.append({**pools[0], "name": "big", "instanceType": "g5.12xlarge", "maxSize": 1})
    for r in planned["resources"]:  # the new pool's node group lives in the same subnets
        if r["type"] == "aws:eks/nodeGroup:NodeGroup" and r["props"]["nodeGroupName"] == "t4":
            extra = copy.deepcopy(r)
            extra["props"]["nodeGroupName"] = "big"
            extra["urn"] += "-big"
    planned["resources"].append(extra)
    checks, _ = _checks(planned, moto_url, quota=32.0)
    quota = checks[f"vCPU quota, G and VT instances ({G_QUOTA})"]
    assert not quota.passed
    assert quota.compared == ("need 56 = 2 x g4dn.xlarge (4 vCPUs) + 1 x g5.12xlarge "
                              "(48 vCPUs); quota 32")


def test_a_region_outside_allowed_regions_fails(dev, moto_url):
    planned = copy.deepcopy(dev.document)
    planned["config"]["allowedRegions"] = ["eu-central-1"]
    checks, _ = _checks(planned, moto_url)
    region = checks["region in allowedRegions"]
    assert not region.passed and region.compared == "us-east-1 in [eu-central-1]"


def test_gpu_families_map_to_their_quotas():
    assert [family_of(t) for t in ("g4dn.xlarge", "g6e.2xlarge", "vt1.3xlarge", "p5.48xlarge",
                                   "m6i.large")] == ["G and VT", "G and VT", "G and VT", "P", None]


def test_pools_take_their_zones_from_their_node_groups_subnets(dev):
    (pool,) = gpu_pools(dev.document)
    assert (pool["name"], pool["zones"]) == ("t4", ["us-east-1a", "us-east-1b"])


def test_where_moto_has_no_ec2_quotas_preflight_cannot_complete(dev, moto_url):
    clients = AwsClients(REGION, moto_url, 1)
    with pytest.raises(AuditError) as failed:
        preflight(dev.document, REGION, clients)
    assert failed.value.call == "service-quotas.GetAWSDefaultServiceQuota"


def _cli(*args, env):
    return subprocess.run([sys.executable, "-m", "medinfra.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_command_without_credentials_says_so_in_one_line(plan_file, aws_env, moto_url):
    env = {k: v for k, v in aws_env.items()
           if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                        "AWS_PROFILE")}
    env["PYTHONPATH"] = str(REPO)
    run = _cli("preflight", "--stack", "aws-dev", "--plan", str(plan_file),
               "--endpoint-url", moto_url, env=env)
    assert run.returncode == 3
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        "medinfra: preflight could not complete (fail closed): ssm.GetParametersByPath: no AWS "
        "credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
        "(read-only access is enough)"]
