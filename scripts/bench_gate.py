"""Benchmark the policy gate on synthetic Inventories (default 1,000 and 10,000 resources): per
size the Rego time, Checkov's time in the gate, the whole gate, Checkov's own CLI on the same
converted files (the anchor: `python -m checkov.main -d <files>`, import included), the ratio
gate/CLI, the peak memory of each; then the growth from the smallest to the largest size.
Optionally the reference stacks, and the overhead of the CrossGuard analyzer protocol (the
policy pack) over calling the gate directly. Checkov's one-time import and the forking of its
warm scan workers are reported once, apart (a long-lived worker pays them once).

    python scripts/bench_gate.py [--sizes 1000 10000] [--repeat 1] [--checkov-python PY]
                                 [--no-cli] [--stacks] [--no-pack] [--mix catalogue|aws]

The default mix copies every rule's compliant fixture plans (AWS, Azure, GCP, KServe), so
each rule of the catalogue has resources to judge, each copy with its own names, namespaces
and selector labels as a real estate would; `--mix aws` is the original AWS-only unit.

Targets (issue 20): 10,000 resources through the whole gate (Rego + Checkov) <= 20 s; growth
10k/1k <= 12x; gate <= 0.8x Checkov's own CLI on the same files; peak memory <= 1 GB.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_anchor import PeakMemory, checkov_cli, tree_cpu  # noqa: E402
from bench_inventories import fixture_inventory, synthetic_inventory  # noqa: E402
from medinfra.policies.gate import GateOptions, evaluate  # noqa: E402


def _best(fn, repeat: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    return best, value


def main() -> int:
    import math
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=1, help="gate runs per size (best kept)")
    parser.add_argument(
        "--mix",
        choices=("aws", "catalogue"),
        default="catalogue",
        help="synthetic AWS units, or copies of every rule's fixture plans (all clouds, KServe)",
    )
    parser.add_argument(
        "--checkov-python",
        default=os.environ.get("MEDINFRA_CHECKOV_PYTHON", sys.executable),
        help="the Python of the environment Checkov is installed in (for Checkov's CLI column)",
    )
    parser.add_argument("--no-cli", action="store_true", help="skip Checkov's CLI column")
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
    options = GateOptions(timeout_s=900)
    from medinfra.policies.checkov_bridge.workers import default_client

    started = time.perf_counter()
    default_client().checks()  # the worker has imported Checkov and forked its scan pool
    print(f"checkov worker start, import and warm scan pool: "
          f"{time.perf_counter() - started:.2f}s (once per run, as in medinfra preview); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    # cpu: user+system seconds of the gate (this process, the Checkov worker, its scan pool) and
    # of Checkov's CLI: steadier than wall time on a shared machine.
    header = (f"{'resources':>9} {'findings':>8} {'rego s':>7} {'checkov s':>9} {'gate s':>7} "
              f"{'cli s':>7} {'gate/cli':>8} {'gate cpu':>8} {'cli cpu':>7} {'gate MB':>8} "
              f"{'cli MB':>7}")
    print(header)
    gate_at: dict[int, float] = {}
    rows: dict[int, tuple] = {}
    for size in args.sizes:
        build = fixture_inventory if args.mix == "catalogue" else synthetic_inventory
        inventory = build(size)
        n = len(inventory["resources"])
        cpu_before = tree_cpu()
        with PeakMemory() as memory:
            gate, result = _best(lambda inv=inventory: evaluate(inv, options), args.repeat)
        gate_cpu = (tree_cpu() - cpu_before) / args.repeat
        cli, cli_mem, cli_cpu = ((float("nan"), 0, float("nan")) if args.no_cli
                                 else checkov_cli(args.checkov_python, inventory))
        t = result.timings
        gate_at[n] = gate
        rows[n] = (gate, cli, memory.peak)
        print(f"{n:>9} {len(result.findings):>8} {t.get('rego_s', 0):>7.2f} "
              f"{t.get('checkov_scan_s', float('nan')):>9.2f} {gate:>7.2f} {cli:>7.2f} "
              f"{gate / cli:>8.2f} {gate_cpu:>8.1f} {cli_cpu:>7.1f} {memory.peak / 2**20:>8.0f} "
              f"{cli_mem / 2**20:>7.0f}",
              flush=True)
    sizes = sorted(gate_at)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth = gate_at[large] / gate_at[small]
        exponent = math.log(growth) / math.log(large / small)
        print(f"growth {large}/{small}: {growth:.1f}x (exponent {exponent:.2f})")
    largest = sizes[-1]
    gate, cli, peak = rows[largest]
    if largest >= 10_000:
        checks = [
            (f"gate at {largest} <= 20 s", gate <= 20.0, f"{gate:.1f} s"),
            ("growth 10k/1k <= 12x", len(sizes) < 2 or growth <= 12.0,
             f"{growth:.1f}x" if len(sizes) >= 2 else "n/a"),
            ("gate <= 0.8x Checkov's CLI", args.no_cli or gate <= 0.8 * cli,
             f"{gate / cli:.2f}x" if not args.no_cli else "not measured"),
            ("peak memory <= 1 GB", peak <= 2**30, f"{peak / 2**20:.0f} MB"),
        ]
        for name, ok, value in checks:
            print(f"target {name}: {value}: {'meets' if ok else 'MISSES'}")
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
