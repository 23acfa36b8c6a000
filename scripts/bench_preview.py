"""Benchmark the offline preview: the aws-dev reference stack and synthetic 1,000/5,000-resource
programs. Prints wall time, planning time inside the worker (excluding interpreter start and
imports) and the scaling factor between sizes.

    python scripts/bench_preview.py [--sizes 1000 5000] [--repeat 1]

Target (issue: foundation): 1,000 resources planned in under 5 s excluding interpreter start,
and near-linear growth (5,000 / 1,000 close to 5x).
"""

from __future__ import annotations

import argparse
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (best is kept)")
    args = parser.parse_args()

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
