"""The policy pack, started while the program is planned (docs/startup.md).

A pack's start-up (an interpreter, pulumi-policy, the rule catalogue, Checkov's import in its
prewarm thread) takes seconds and needs nothing from the plan: the Pulumi CLI hands a pack the
project, stack and config in its environment, and all three are known before planning. So
`medinfra preview` launches the pack first, plans meanwhile, then drives it over the analyzer
protocol once the Inventory is ready. The gate's clock (--gate-timeout) still starts when
planning ends: the pack reads its deadline from a file written at that moment
($MEDINFRA_GATE_DEADLINE_FILE, policies/pack_driver.py).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from medinfra.evidence import cli as evidence_cli

PACK_START_S = "pack_start_s"  # launch -> serving (overlapping planning when started early)
PACK_WAIT_S = "pack_wait_s"  # how long the gate waited for the pack once the plan was ready


def _stub(project: str, stack: str, config: dict[str, Any]) -> dict[str, Any]:
    # What `analyzer_client.pack_environment` reads of an Inventory.
    return {"project": project, "stack": stack, "config": config}


class EarlyPack:
    """One launched pack, its private files (deadline, timings) and what it was launched for."""

    def __init__(self, launched, workdir: tempfile.TemporaryDirectory, stub: dict[str, Any],
                 pack_config: dict[str, Any] | None = None):
        self.launched = launched
        self.pack_config = pack_config  # --policy-pack-config, given to the pack by Configure
        self.workdir = workdir
        self.stub = stub
        self.waited_s: float | None = None
        self.driven: dict[str, float] = {}  # analyze_calls_s, analyze_stack_s

    @classmethod
    def launch(cls, stub: dict[str, Any], args: argparse.Namespace) -> EarlyPack:
        """Start the pack for this project, stack and config; AnalyzerError if it cannot be."""
        from medinfra import pack_process
        from medinfra.pack_process import DEADLINE_FILE_ENV, TIMINGS_ENV

        workdir = tempfile.TemporaryDirectory(prefix="medinfra-pack-")
        env = dict(os.environ, MEDINFRA_GATE_TIMEOUT=str(args.gate_timeout))
        env.pop("MEDINFRA_GATE_DEADLINE", None)  # the deadline comes through the file
        env.pop(evidence_cli.EVIDENCE_ENV, None)  # this command writes the evidence, not the pack
        env[TIMINGS_ENV] = str(Path(workdir.name) / "timings.json")
        env[DEADLINE_FILE_ENV] = str(Path(workdir.name) / "deadline")
        if args.opa_url:
            env["OPA_URL"] = args.opa_url
        from medinfra.policies.checkov_bridge.workers import pack_environment as checkov_env

        env.update(checkov_env())  # the warm Checkov worker this command shares
        try:
            launched = pack_process.launch_pack(
                pack_process.PACK_DIR, pack_process.pack_environment(stub, env)
            )
        except BaseException:
            workdir.cleanup()
            raise
        return cls(launched, workdir, stub, getattr(args, "pack_config_document", None))

    @classmethod
    def start(cls, project, config, args: argparse.Namespace) -> EarlyPack | None:
        """Launch the pack before planning; None if it cannot be (the gate then launches one
        itself and reports why it fails)."""
        try:
            stub = _stub(project.name, config.stack, config.gate_values())
            return cls.launch(stub, args)
        except Exception:  # noqa: BLE001 - run_gate tries again and reports the failure
            return None

    def serves(self, inventory: dict[str, Any]) -> bool:
        """Whether it was launched for this Inventory's project, stack and config."""
        wanted = _stub(inventory.get("project"), inventory.get("stack"), inventory.get("config"))
        return json.dumps(wanted, sort_keys=True) == json.dumps(self.stub, sort_keys=True)

    def judge(self, inventory: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
        """Drive it over the analyzer protocol (stopping it in every case); AnalyzerError."""
        from medinfra import analyzer_client

        # The pack's own gate ends a little before ours, so it can still say what overran;
        # what overruns ours (a pack that hangs on start-up, an engine that never answers) is
        # killed.
        deadline = Path(self.workdir.name) / "deadline"
        deadline.write_text(repr(time.time() + timeout * 0.9), encoding="utf-8")
        asked = time.monotonic()
        try:
            return analyzer_client.analyze_over_protocol(
                inventory, analyzer_client.PACK_DIR, timeout=timeout, launched=self.launched,
                timings=self.driven, pack_config=self.pack_config,
            )
        finally:
            ready = self.launched.ready_at
            if ready is not None:
                self.waited_s = max(0.0, ready - asked)

    def timings(self) -> dict[str, float]:
        """What the pack reported (policies/pack_driver.py _report_timings), plus its start-up."""
        out: dict[str, float] = {}
        try:
            data = json.loads((Path(self.workdir.name) / "timings.json").read_text("utf-8"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict):
            out = {
                str(k): v for k, v in data.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            }
        if "gate_s" in out:  # the pack's own gate run (inside AnalyzeStack), not ours
            out["pack_gate_s"] = out.pop("gate_s")
        out.update(self.driven)
        ready = self.launched.ready_at
        if ready is not None:
            out[PACK_START_S] = round(ready - self.launched.started, 4)
        if self.waited_s is not None:
            out[PACK_WAIT_S] = round(self.waited_s, 4)
        return out

    def close(self) -> None:
        self.launched.stop()
        self.workdir.cleanup()
