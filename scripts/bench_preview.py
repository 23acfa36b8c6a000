"""Benchmark the offline preview.

By default: `medinfra preview --stack aws-prod --format json` once, as a user runs it (a new
process, the policy pack over the analyzer protocol), its wall time split into where it went,
side by side with the target (issue 20): wall <= 10 s, the gate (everything after planning)
<= 3 s of it. With --sizes, also synthetic 1,000/5,000-resource programs through the planner
alone (the foundation issue's target: 1,000 resources in under 5 s, near-linear growth).

    python scripts/bench_preview.py [--stack aws-prod] [--repeat 1] [--sizes 1000 5000]

Numbers are one run's: on a shared machine, run it on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from medinfra.planner import plan  # noqa: E402
from medinfra.project import load_project, load_stack_config  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

# Each unit is 5 resources: a component holding a KMS key, a bucket, its SSE configuration
# (referencing the key and the bucket), and a public access block.
_PROGRAM = textwrap.dedent(
    """
    import pulumi
    import pulumi_aws as aws

    UNITS = int(pulumi.Config().require("units"))


    class Store(pulumi.ComponentResource):
        def __init__(self, name):
            super().__init__("bench:index:Store", name, None)
            child = pulumi.ResourceOptions(parent=self)
            key = aws.kms.Key(name, enable_key_rotation=True, opts=child)
            bucket = aws.s3.Bucket(name, tags={"owner": "bench"}, opts=child)
            aws.s3.BucketServerSideEncryptionConfiguration(
                name,
                bucket=bucket.id,
                rules=[{"apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}],
                opts=child,
            )
            aws.s3.BucketPublicAccessBlock(
                name, bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                ignore_public_acls=True, restrict_public_buckets=True, opts=child,
            )
            self.register_outputs({})


    for i in range(UNITS):
        Store(f"store-{i}")
    """
)


def _synthetic(root: Path, resources: int) -> Path:
    units = max(1, resources // 5)
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text("name: bench\nruntime: python\n")
    (root / "__main__.py").write_text(_PROGRAM)
    (root / "Pulumi.bench.yaml").write_text(
        f"config:\n  aws:region: us-east-1\n  bench:units: '{units}'\n"
    )
    return root


def _measure(directory: Path, stack: str, repeat: int) -> tuple[int, float, float]:
    project = load_project(directory)
    config = load_stack_config(project, stack)
    best_plan, best_wall, count = float("inf"), float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = plan(project, config, timeout=1800)
        best_wall = min(best_wall, time.perf_counter() - started)
        best_plan = min(best_plan, result.timings["plan_s"])
        count = len(result.resources)
    return count, best_plan, best_wall


TARGET_WALL_S = 10.0
TARGET_GATE_S = 3.0


def _preview(stack: str) -> tuple[float, dict]:
    """One `medinfra preview --stack STACK --format json` run: (wall seconds, its report)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO), *([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])]))
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "medinfra.cli", "preview", "--stack", stack, "--format", "json"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"medinfra preview exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout)


def breakdown(wall: float, t: dict) -> list[tuple[str, float | None, str]]:
    """(what, seconds, note) rows of one preview's timings (medinfra preview's `timings`)."""
    get = t.get
    plan_wall = get("plan_wall_s", 0.0)
    gate = get("gate_s", 0.0)
    start = get("worker_start_s")
    sdk = get("sdk_import_s")
    plan_in = get("plan_s")
    accounted = sum(v or 0.0 for v in (get("rego_s"), get("checkov_scan_s"), get("pack_wait_s")))
    rows = [
        ("wall", wall, f"target <= {TARGET_WALL_S:g} s"),
        ("planning (worker wall)", plan_wall, "program run in a fresh interpreter"),
        ("  interpreter + pulumi + medinfra import", start, ""),
        ("  Pulumi SDK import (in the program)", sdk, "provider packages the program imports"),
        ("  program run, mock round trips", (plan_in - sdk) if plan_in and sdk else None, ""),
        ("  other (result I/O, Inventory)",
         plan_wall - (plan_in or 0) - (start or 0) if start else None, ""),
        ("pack start (launch -> serving)", get("pack_start_s"), "overlaps planning"),
        ("Checkov import (in the pack)", get("checkov_import_s"), "overlaps planning"),
        ("gate (after planning)", gate, f"target <= {TARGET_GATE_S:g} s"),
        ("  waiting for the pack", get("pack_wait_s"), "start-up not hidden by planning"),
        ("  Analyze calls (one per resource)", get("analyze_calls_s"), "gRPC round trips"),
        ("  AnalyzeStack", get("analyze_stack_s"), ""),
        ("    the pack's gate (evaluate)", get("pack_gate_s"), "Inventory rebuilt before it"),
        ("      Rego", get("rego_s"), ""),
        ("      Checkov scan", get("checkov_scan_s"),
         f"{get('checkov_resources', 0):g} resources"),
        ("  protocol and other", gate - accounted, "all of the gate but engines and waiting"),
        ("CLI other (start-up, config, reports)", wall - plan_wall - gate, ""),
    ]
    return rows


def _print_breakdown(stack: str, wall: float, report: dict) -> None:
    print(f"medinfra preview --stack {stack}: {report['resources']} resources, "
          f"decision {report['decision']}")
    print(f"{'':<42} {'seconds':>8}  note")
    for what, seconds, note in breakdown(wall, report["timings"]):
        shown = f"{seconds:>8.2f}" if seconds is not None else f"{'-':>8}"
        print(f"{what:<42} {shown}  {note}")
    gate = report["timings"].get("gate_s", 0.0)
    verdict = "meets" if wall <= TARGET_WALL_S and gate <= TARGET_GATE_S else "MISSES"
    print(f"target: wall {wall:.2f} s (<= {TARGET_WALL_S:g}), gate {gate:.2f} s "
          f"(<= {TARGET_GATE_S:g}): {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="aws-prod", help="reference stack (default aws-prod)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[],
                        help="also plan synthetic programs of these sizes (e.g. 1000 5000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs (the fastest is shown)")
    args = parser.parse_args()

    runs = [_preview(args.stack) for _ in range(args.repeat)]
    wall, report = min(runs, key=lambda run: run[0])
    _print_breakdown(args.stack, wall, report)
    if not args.sizes:
        return 0

    print()
    rows = [("aws-dev", *_measure(REPO, "aws-dev", args.repeat))]
    with tempfile.TemporaryDirectory(prefix="medinfra-bench-") as tmp:
        for size in args.sizes:
            rows.append(
                (
                    f"synthetic-{size}",
                    *_measure(_synthetic(Path(tmp) / str(size), size), "bench", args.repeat),
                )
            )

    print(f"{'program':<18} {'resources':>9} {'plan s':>8} {'wall s':>8} {'ms/resource':>12}")
    for name, count, plan_s, wall_s in rows:
        print(
            f"{name:<18} {count:>9} {plan_s:>8.2f} {wall_s:>8.2f} "
            f"{1000 * plan_s / max(count, 1):>12.2f}"
        )
    synthetic = [r for r in rows if r[0].startswith("synthetic")]
    if len(synthetic) >= 2:
        (_, n1, p1, _), (_, n2, p2, _) = synthetic[0], synthetic[-1]
        print(
            f"scaling: {n2 / n1:.1f}x resources -> {p2 / p1:.2f}x planning time "
            f"(linear would be {n2 / n1:.1f}x)"
        )
    for _name, count, plan_s, _ in synthetic:
        if 900 <= count <= 1100:
            verdict = "meets" if plan_s < 5 else "MISSES"
            print(
                f"target: {count} resources in {plan_s:.2f}s (< 5 s excluding interpreter "
                f"start): {verdict}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
