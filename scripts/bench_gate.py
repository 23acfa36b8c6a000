"""Benchmark the policy gate: Rego and Checkov time for synthetic Inventories of 100 / 1,000 /
10,000 resources with every rule loaded, optionally for the reference stacks, and the overhead
of going through the CrossGuard analyzer protocol (the policy pack) instead of calling the gate
directly. Checkov's one-time import is reported once, apart from the scan times.

    python scripts/bench_gate.py [--sizes 100 1000 10000] [--repeat 3] [--stacks] [--no-pack]
                                 [--mix catalogue|aws]

The default mix copies every rule's compliant fixture plans (AWS, Azure, GCP, KServe), so
each rule of the catalogue has resources to judge; `--mix aws` is the original AWS-only unit.

Target (issue: policy gate): 10,000 resources evaluated in under 1 s of Rego time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from medinfra.policies.gate import GateOptions, evaluate  # noqa: E402
from medinfra.policies.inventory import InventoryResource  # noqa: E402

TAGS = {"owner": "o", "costCenter": "c", "environment": "prod", "dataClassification": "phi"}
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def _resource(urn: str, type_: str, props: dict, references: dict | None = None) -> dict:
    return InventoryResource(
        urn=urn,
        type=type_,
        name=urn.rsplit("::", 1)[1],
        provider="aws",
        parent=None,
        props=props,
        references=references or {},
    ).to_dict()


def synthetic_inventory(size: int) -> dict:
    """At least `size` resources in units of 5: key, bucket, its SSE configuration, a cluster,
    a provider; every tenth bucket is left unencrypted so rules produce findings."""
    resources: list[dict] = []
    i = -1
    while len(resources) < size:
        i += 1
        prefix = f"urn:pulumi:bench::bench::aws:{{}}::{i}"
        key, bucket = prefix.format("kms/key:Key"), prefix.format("s3/bucket:Bucket")
        resources += [
            _resource(key, "aws:kms/key:Key", {"enableKeyRotation": True, "tags": TAGS}),
            _resource(bucket, "aws:s3/bucket:Bucket", {"tags": TAGS}),
            _resource(
                prefix.format("eks/cluster:Cluster"),
                "aws:eks/cluster:Cluster",
                {"tags": TAGS, "vpcConfig": {"endpointPublicAccess": False}},
            ),
            _resource(
                f"urn:pulumi:bench::bench::pulumi:providers:aws::p{i}",
                "pulumi:providers:aws",
                {"region": "eu-central-1"},
            ),
        ]
        if i % 10:
            path = "/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId"
            resources.append(
                _resource(
                    prefix.format(SSE),
                    SSE,
                    {
                        "bucket": f"b{i}",
                        "rules": [
                            {
                                "applyServerSideEncryptionByDefault": {
                                    "sseAlgorithm": "aws:kms",
                                    "kmsMasterKeyId": f"arn:{i}",
                                }
                            }
                        ],
                    },
                    {"/bucket": bucket, path: key},
                )
            )
    return {
        "project": "bench",
        "stack": "bench",
        "config": {"allowedRegions": ["eu-central-1"], "dataClassification": "phi"},
        "resources": resources,
    }


def fixture_inventory(size: int) -> dict:
    """At least `size` resources: copies of the rules' compliant fixture plans for AWS, Azure,
    GCP and KServe (policies/rego/lib/fixtures_test.rego), every rule's resource types, each
    copy with its own URNs and references; every fifth copy's store loses its encryption."""
    import json

    import regorus
    from medinfra.policies.rules import RULES_DIR

    engine = regorus.Engine()
    for path in sorted(RULES_DIR.rglob("*.rego")):
        engine.add_policy(str(path.relative_to(RULES_DIR)), path.read_text())
    plans = [
        json.loads(engine.eval_rule_as_json(f"data.medinfra.fixtures.{name}"))
        for name in ("kserve", "azure", "gcp")
    ]
    config = json.loads(engine.eval_rule_as_json("data.medinfra.fixtures.config"))
    resources: list[dict] = []
    copy = 0
    while len(resources) < size:
        text = json.dumps(plans[copy % len(plans)]).replace("::", f"::c{copy}-")
        plan = json.loads(text)
        if copy % 5 == 0:
            plan.pop("bucket-sse", None)
            plan.get("gcs", {}).get("props", {}).pop("encryption", None)
        resources += plan.values()
        copy += 1
    return {"project": "bench", "stack": "bench", "config": config, "resources": resources}


def _best(fn, repeat: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    return best, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--mix",
        choices=("aws", "catalogue"),
        default="catalogue",
        help="synthetic AWS units, or copies of every rule's fixture plans (all clouds, KServe)",
    )
    parser.add_argument(
        "--stacks",
        action="store_true",
        help="also time the reference stacks aws-dev and aws-prod (plans them first)",
    )
    parser.add_argument(
        "--no-pack",
        action="store_true",
        help="skip the analyzer-protocol (policy pack) measurement",
    )
    args = parser.parse_args()
    options = GateOptions(timeout_s=600)
    from medinfra.policies.checkov_bridge.workers import default_client

    started = time.perf_counter()
    default_client().checks()  # the worker has imported Checkov
    print(f"checkov worker start and import: {time.perf_counter() - started:.2f}s (once)")

    print(f"{'resources':>9} {'findings':>8} {'rego s':>8} {'checkov s':>9} {'gate s':>8}")
    rego_at: dict[int, float] = {}
    for size in args.sizes:
        build = fixture_inventory if args.mix == "catalogue" else synthetic_inventory
        inventory = build(size)
        result = evaluate(inventory, options)
        rego = min(evaluate(inventory, options).timings["rego_s"] for _ in range(args.repeat))
        gate, _ = _best(lambda inv=inventory: evaluate(inv, options), args.repeat)
        rego_at[len(inventory["resources"])] = rego
        checkov = result.timings.get("checkov_scan_s", float("nan"))
        print(
            f"{len(inventory['resources']):>9} {len(result.findings):>8} {rego:>8.3f} "
            f"{checkov:>9.3f} {gate:>8.3f}"
        )
    largest = max(rego_at)
    if largest >= 10_000:
        verdict = "meets" if rego_at[largest] < 1.0 else "MISSES"
        print(
            f"target: {largest} resources in {rego_at[largest]:.3f}s of Rego time "
            f"(< 1 s): {verdict}"
        )
    if args.stacks:
        _reference_stacks(options)
    if not args.no_pack:
        _pack_overhead(options, args.repeat)
    return 0


def _reference_stacks(options: GateOptions) -> None:
    """Rego and Checkov time on each reference stack's real Inventory (planned offline)."""
    import json
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parents[1]
    for stack in ("aws-dev", "aws-prod"):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "inventory.json"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "medinfra.cli",
                    "preview",
                    "--stack",
                    stack,
                    "--direct",
                    "--inventory",
                    str(out),
                ],
                cwd=root,
                capture_output=True,
                check=False,
            )
            if not out.exists():
                print(f"{stack}: could not be planned")
                continue
            inventory = json.loads(out.read_text())
        t = evaluate(inventory, options).timings
        print(
            f"{stack}: {len(inventory['resources'])} resources, rego {t.get('rego_s', 0):.3f}s, "
            f"checkov {t.get('checkov_scan_s', 0):.3f}s "
            f"({int(t.get('checkov_resources', 0))} scanned)"
        )


def _pack_overhead(options: GateOptions, repeat: int) -> None:
    try:
        from medinfra.analyzer_client import analyze_over_protocol
    except ImportError:
        print("pack overhead: skipped (analyzer client not available in this build)")
        return
    inventory = synthetic_inventory(1000)
    direct, _ = _best(lambda: evaluate(inventory, options), repeat)
    through, _ = _best(lambda: analyze_over_protocol(inventory), max(1, repeat - 1))
    print(
        f"pack overhead (1,000 resources): direct {direct:.3f}s, through the analyzer "
        f"protocol {through:.3f}s (+{through - direct:.3f}s: pack start, gRPC, encoding)"
    )


if __name__ == "__main__":
    sys.exit(main())
