"""Measure where splitting a plan for Checkov starts to pay (runner.PARALLEL_MIN_ITEMS).

For synthetic Inventories (bench_gate.py's realistic copies) of each size, the best of
`--repeat` runs of: one Checkov run per framework in one process (what small plans get), the
split scan in that process (what a process with gRPC gets), and the split scan on a warm pool
of all cores (what the Checkov worker gets). Run it with MedInfra's interpreter, on a quiet
machine:

    .venv/bin/python scripts/bench_checkov_split.py [--sizes 70 150 300 600 1000 2000] [--repeat 3]

It builds the Inventories here, then runs itself in Checkov's interpreter ($MEDINFRA_CHECKOV_PYTHON
or .venv-checkov/bin/python, as the gate does) with `--measure`, the Inventories on stdin:
Checkov is never imported in MedInfra's environment.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

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


def _measure(repeat: int) -> int:
    """In Checkov's interpreter: time each Inventory (a JSON list of resource lists on stdin)."""
    inventories = json.load(sys.stdin)
    runner.load_checkov()
    workers = parallel.start_pool()
    print(f"{'resources':>9} {'items':>6} {'one run s':>9} {'split s':>8} "
          f"{f'split x{workers} s':>11}", flush=True)
    for resources in inventories:
        items = (len(to_terraform_plan(resources).urns) + len(to_arm_template(resources).urns)
                 + len(to_manifests(resources).documents))
        one = _best(resources, False, 1, repeat)
        serial = _best(resources, True, 1, repeat)
        pooled = _best(resources, True, workers, repeat)
        print(f"{len(resources):>9} {items:>6} {one:>9.2f} {serial:>8.2f} {pooled:>11.2f}",
              flush=True)
    parallel.stop_pool()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[70, 150, 300, 600, 1000, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", action="store_true",
                        help="internal: measure the Inventories on stdin (Checkov's interpreter)")
    args = parser.parse_args()
    if args.measure:
        return _measure(args.repeat)
    from bench_inventories import fixture_inventory
    from medinfra.policies.checkov_bridge.client import checkov_python
    from medinfra.policies.checkov_bridge.runner import CheckovError

    try:
        python = checkov_python()
    except CheckovError as exc:
        print(f"bench_checkov_split: {exc}", file=sys.stderr)
        return 3
    inventories = [fixture_inventory(size)["resources"] for size in args.sizes]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run(
        [python, str(Path(__file__).resolve()), "--measure", "--repeat", str(args.repeat)],
        input=json.dumps(inventories), text=True, env=env, check=False,
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
