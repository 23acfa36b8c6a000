"""The gate starts Checkov's scan before the Rego engine (and, for a big Inventory, before the
schema check), so the two run side by side: one scan per evaluation, and a scan of an Inventory
that fails validation is dropped (the gate blocks on the input, as before)."""

from __future__ import annotations

import threading

from medinfra.policies.checkov_bridge.runner import Scan
from medinfra.policies.engines import engine_from_environment
from medinfra.policies.gate import EARLY_SCAN_MIN_RESOURCES, GateOptions, evaluate
from medinfra.policies.inventory import InventoryResource


class _Recorder:
    def __init__(self):
        self.calls = 0
        self.started = threading.Event()

    def scan(self, resources, selection, timeout_s):
        self.calls += 1
        self.started.set()
        return Scan(scanned=len(resources))


class _WatchingEngine:
    """The real Rego engine, noting whether Checkov's scan had started when Rego began."""

    def __init__(self, recorder: _Recorder):
        self.inner, self.recorder = engine_from_environment(), recorder
        self.scan_started_first: bool | None = None
        self.name = self.inner.name

    def evaluate(self, rules, input_json, timeout_s):
        self.scan_started_first = self.recorder.started.wait(5)
        return self.inner.evaluate(rules, input_json, timeout_s)


def _inventory(n: int) -> dict:
    resources = [InventoryResource(urn=f"urn:pulumi:s::p::aws:s3/bucket:Bucket::b{i}",
                                   type="aws:s3/bucket:Bucket", name=f"b{i}", provider="aws",
                                   parent=None, props={"bucket": f"b{i}"},
                                   references={}).to_dict() for i in range(n)]
    return {"project": "p", "stack": "s", "config": {}, "resources": resources}


def _options(tmp_path, recorder, engine=None) -> GateOptions:
    return GateOptions(waivers_file=tmp_path / "none.yaml", checkov=recorder, engine=engine,
                       timeout_s=120)


def test_checkov_scans_beside_rego_once(tmp_path):
    for size in (3, EARLY_SCAN_MIN_RESOURCES):
        recorder = _Recorder()
        engine = _WatchingEngine(recorder)
        result = evaluate(_inventory(size), _options(tmp_path, recorder, engine))
        assert engine.scan_started_first is True
        assert recorder.calls == 1
        assert result.timings["checkov_resources"] == size


def test_an_invalid_big_inventory_blocks_on_its_input_and_its_early_scan_is_dropped(tmp_path):
    inventory = _inventory(EARLY_SCAN_MIN_RESOURCES)
    inventory["resources"][7]["urn"] = 42
    recorder = _Recorder()
    result = evaluate(inventory, _options(tmp_path, recorder))
    (finding,) = result.findings
    assert finding.id == "MED-GATE-INPUT" and "/resources/7/urn" in finding.message
    small = _inventory(3)
    small["resources"][1]["urn"] = 42
    recorder = _Recorder()
    evaluate(small, _options(tmp_path, recorder))
    assert recorder.calls == 0  # a small Inventory is scanned only once it is valid
