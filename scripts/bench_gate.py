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


#: Props naming a cloud resource (or a parent) in the fixture plans: renamed per copy.
_NAME_KEYS = {"name", "bucket", "repository", "cluster", "network", "router", "role",
              "accountId", "bucketId", "repositoryId", "keyRing"}
#: Values that mean something beyond a name (ARM's singleton child "default", enum values).
_KEEP = {"default", "None", "", "models/"}


def _k8s_tokens(node, tokens: set, selector_keys: set) -> None:
    """Names, namespaces and selector label values of a manifest (at any depth)."""
    if isinstance(node, list):
        for item in node:
            _k8s_tokens(item, tokens, selector_keys)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("name", "namespace", "serviceAccountName", "claimName") and isinstance(value,
                                                                                         str):
            tokens.add(value)
        elif key in ("matchLabels", "selector") and isinstance(value, dict):
            for label, v in value.items():
                if isinstance(v, str):
                    selector_keys.add(label)
                    tokens.add(v)
        _k8s_tokens(value, tokens, selector_keys)


def _rename_tokens(plan: dict) -> set[str]:
    tokens: set[str] = set()
    selector_keys: set[str] = set()
    for r in plan.values():
        tokens.add(r["name"])
        props = r.get("props") or {}
        if r["type"].startswith("kubernetes:"):
            _k8s_tokens(props, tokens, selector_keys)
            labels = (props.get("metadata") or {}).get("labels") or {}
            tokens.update(v for k, v in labels.items() if k in selector_keys)
            continue
        tokens.update(v for k, v in props.items() if isinstance(v, str)
                      and (k in _NAME_KEYS or k.endswith("Name")))
    return tokens - _KEEP


def _renamed(node, tokens: set[str], suffix: str):
    if isinstance(node, dict):
        out = {k: _renamed(v, tokens, suffix) for k, v in node.items()}
        metadata = out.get("metadata")
        if isinstance(metadata, dict) and isinstance(out.get("kind"), str):
            metadata["labels"] = {**(metadata.get("labels") or {}), "bench/copy": suffix[1:]}
        return out
    if isinstance(node, list):
        return [_renamed(v, tokens, suffix) for v in node]
    return f"{node}{suffix}" if isinstance(node, str) and node in tokens else node


def fixture_inventory(size: int) -> dict:
    """At least `size` resources: copies of the rules' compliant fixture plans for AWS, Azure,
    GCP and KServe (policies/rego/lib/fixtures_test.rego), every rule's resource types. Each copy
    is what a real estate could hold: its own URNs and references, and its own names,
    namespaces and selector labels (every name-like value of the fixture gets the copy's
    suffix, consistently, so a selector still selects its own copy's pods and nothing else),
    plus a `bench/copy` label on every manifest; every fifth copy's store loses its
    encryption."""
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
    tokens = [_rename_tokens(plan) for plan in plans]
    config = json.loads(engine.eval_rule_as_json("data.medinfra.fixtures.config"))
    resources: list[dict] = []
    copy = 0
    while len(resources) < size:
        base = plans[copy % len(plans)]
        text = json.dumps(base).replace("::", f"::c{copy}-")
        plan = {
            key: {**r, "name": f"{r['name']}-c{copy}",
                  "props": _renamed(r.get("props") or {}, tokens[copy % len(plans)], f"-c{copy}")}
            for key, r in json.loads(text).items()
        }
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


class _PeakMemory:
    """Peak of the summed proportional set size (PSS: shared pages split between the processes
    sharing them, so forked workers are not counted twice) of this process and its children,
    sampled every 50 ms (psutil); RSS where PSS cannot be read."""

    def __init__(self, pid: int | None = None):
        import os
        import threading

        import psutil

        self.root = psutil.Process(pid or os.getpid())
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for proc in procs:
                try:
                    info = proc.memory_full_info()
                    total += getattr(info, "pss", info.rss)
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _write_converted(inventory: dict, folder: Path) -> None:
    """The files the gate's Checkov scan reads, written as one folder for Checkov's CLI."""
    import json

    from medinfra.policies.checkov_bridge.arm import to_arm_template
    from medinfra.policies.checkov_bridge.k8s import to_manifests
    from medinfra.policies.checkov_bridge.tfplan import to_terraform_plan

    resources = inventory["resources"]
    for name, converted in (("tfplan.json", to_terraform_plan(resources)),
                            ("template.json", to_arm_template(resources))):
        if converted.urns:
            (folder / name).write_text(json.dumps(converted.document))
    for i, document in enumerate(to_manifests(resources).documents):
        (folder / f"k8s-{i:05d}.json").write_text(json.dumps(document))


def _checkov_cli(python: str, inventory: dict) -> tuple[float, int]:
    """Wall time and peak memory of Checkov's own CLI on the converted files (all checks, the
    gate's three frameworks, MedInfra's own check directory), import included: what a user
    running Checkov on these files would wait for."""
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="bench-checkov-cli-") as tmp:
        _write_converted(inventory, Path(tmp))
        command = [
            python, "-m", "checkov.main", "-d", tmp,
            "--framework", "terraform_plan", "arm", "kubernetes",
            "--external-checks-dir", str(root / "policies/checkov_bridge/checks/arm"),
            "--quiet", "--compact", "--skip-download", "--soft-fail", "-o", "cli",
        ]
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        with _PeakMemory(proc.pid) as memory:
            _, stderr = proc.communicate()
        elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"checkov CLI failed ({proc.returncode}): {stderr[-2000:]}")
    return elapsed, memory.peak


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
          f"{time.perf_counter() - started:.2f}s (once per run, as in medinfra preview)")
    header = (f"{'resources':>9} {'findings':>8} {'rego s':>7} {'checkov s':>9} {'gate s':>7} "
              f"{'cli s':>7} {'gate/cli':>8} {'gate MB':>8} {'cli MB':>7}")
    print(header)
    gate_at: dict[int, float] = {}
    rows: dict[int, tuple] = {}
    for size in args.sizes:
        build = fixture_inventory if args.mix == "catalogue" else synthetic_inventory
        inventory = build(size)
        n = len(inventory["resources"])
        with _PeakMemory() as memory:
            gate, result = _best(lambda inv=inventory: evaluate(inv, options), args.repeat)
        cli, cli_mem = (float("nan"), 0) if args.no_cli else _checkov_cli(args.checkov_python,
                                                                          inventory)
        t = result.timings
        gate_at[n] = gate
        rows[n] = (gate, cli, memory.peak)
        print(f"{n:>9} {len(result.findings):>8} {t.get('rego_s', 0):>7.2f} "
              f"{t.get('checkov_scan_s', float('nan')):>9.2f} {gate:>7.2f} {cli:>7.2f} "
              f"{gate / cli:>8.2f} {memory.peak / 2**20:>8.0f} {cli_mem / 2**20:>7.0f}",
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
