"""Measure where splitting a plan for Checkov starts to pay (runner.PARALLEL_MIN_ITEMS).

For synthetic Inventories (bench_gate.py's realistic copies) of each size, the best of
`--repeat` runs of: one Checkov run per framework in this process (what small plans get), the
split scan in this process (what a process with gRPC gets), and the split scan on a warm pool
of all cores (what the Checkov worker gets). Run it on a quiet machine:

    python scripts/bench_checkov_split.py [--sizes 70 150 300 600 1000 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_inventories import fixture_inventory  # noqa: E402
from medinfra.policies.checkov_bridge import parallel, runner  # noqa: E402
from medinfra.policies.checkov_bridge.arm import to_arm_template  # noqa: E402
from medinfra.policies.checkov_bridge.k8s import to_manifests  # noqa: E402
from medinfra.policies.checkov_bridge.tfplan import to_terraform_plan  # noqa: E402


def _best(resources: list, split: bool, workers: int, repeat: int) -> float:
    runner.PARALLEL_MIN_ITEMS = 0 if split else 10**9
    best = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            runner._run_all(resources, runner.Selection(), Path(tmp), workers)
            best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[70, 150, 300, 600, 1000, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runner.load_checkov()
    workers = parallel.start_pool()
    print(f"{'resources':>9} {'items':>6} {'one run s':>9} {'split s':>8} "
          f"{f'split x{workers} s':>11}")
    for size in args.sizes:
        resources = fixture_inventory(size)["resources"]
        items = (len(to_terraform_plan(resources).urns) + len(to_arm_template(resources).urns)
                 + len(to_manifests(resources).documents))
        one = _best(resources, False, 1, args.repeat)
        serial = _best(resources, True, 1, args.repeat)
        pooled = _best(resources, True, workers, args.repeat)
        print(f"{len(resources):>9} {items:>6} {one:>9.2f} {serial:>8.2f} {pooled:>11.2f}",
              flush=True)
    parallel.stop_pool()
    return 0


if __name__ == "__main__":
    sys.exit(main())
