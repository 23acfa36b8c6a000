"""Starting and stopping the policy pack's process, as the Pulumi CLI does, without gRPC.

`medinfra.analyzer_client` drives a pack over the analyzer protocol; this module only launches
it (`python -u -m pulumi.policy ENGINE .`, cwd = the pack, PULUMI_* in its environment) and stops
it, so that `medinfra preview` can start the pack before planning without first importing gRPC
and the protocol (about a second of its own start-up): see medinfra/early_pack.py.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import medinfra.policies
from medinfra import child_environment
from medinfra.components.config.constants import NAMESPACE


class AnalyzerError(Exception):
    """The policy pack could not judge the Inventory (the gate blocks: fail closed)."""


#: The pack writes its gate's timings to the file this names (policies/pack_driver.py).
TIMINGS_ENV = "MEDINFRA_GATE_TIMINGS_FILE"
#: medinfra preview starts the pack while it plans, before the gate's clock starts; when it
#: hands the plan over it writes the gate's absolute deadline (epoch seconds) to this file.
DEADLINE_FILE_ENV = "MEDINFRA_GATE_DEADLINE_FILE"

PACK_DIR = Path(medinfra.policies.__file__).resolve().parent
ENGINE_ADDRESS = "127.0.0.1:0"  # the CLI passes its engine's address; the pack never dials it
_STOP_GRACE_S = 3.0

def _config_text(value: Any) -> str:
    # As the CLI passes config: scalars as their text, objects and lists as JSON.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def pack_environment(
    inventory: dict[str, Any], base: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment the CLI gives a pack for this Inventory's project, stack and config."""
    env = dict(os.environ if base is None else base)
    project, stack = str(inventory.get("project", "")), str(inventory.get("stack", ""))
    config = inventory.get("config") or {}
    env.update(
        PULUMI_PROJECT=project,
        PULUMI_STACK=stack,
        PULUMI_DRY_RUN="true",
        PULUMI_CONFIG=json.dumps(
            {f"{NAMESPACE}:{k}": _config_text(v) for k, v in config.items()}
        ),
    )
    env.pop("PULUMI_CONFIG_SECRET_KEYS", None)  # never inherit a stray one
    return child_environment(env)


def _stop(proc: subprocess.Popen, grace: float = _STOP_GRACE_S) -> None:
    """SIGINT (the pack's only clean shutdown), then SIGKILL, as the CLI does."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait()


@dataclass
class LaunchedPack:
    """A pack process started with `launch_pack`, not yet driven (see `running_pack`)."""

    proc: subprocess.Popen
    stderr: Any  # the temporary file its stderr goes to
    lines: queue.Queue
    pump: threading.Thread | None = None
    started: float = field(default_factory=time.monotonic)
    ready_at: float | None = None  # when it printed its port (time.monotonic)

    def stop(self, grace: float = _STOP_GRACE_S) -> None:
        """Stop it (SIGINT, then SIGKILL after `grace`) and release what it held; safe to call
        twice."""
        _stop(self.proc, grace)
        if self.pump is not None:
            self.pump.join(timeout=2.0)  # the pipe reaches EOF once the pack is gone
            if not self.pump.is_alive():
                self.proc.stdout.close()
        self.stderr.close()


def launch_pack(pack_dir: Path, env: dict[str, str]) -> LaunchedPack:
    """Start the pack as the CLI does (`python -u -m pulumi.policy ENGINE .`, cwd = the pack)
    and return at once: it imports and loads its rules while the caller does something else."""
    command = [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "."]
    stderr = tempfile.TemporaryFile(prefix="medinfra-pack-")
    try:
        proc = subprocess.Popen(
            command, cwd=pack_dir, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=stderr,
        )
    except OSError as exc:
        stderr.close()
        raise AnalyzerError(f"cannot start the policy pack in {pack_dir}: {exc}") from None
    pack = LaunchedPack(proc, stderr, queue.Queue())

    def pump() -> None:
        first = proc.stdout.readline()
        pack.ready_at = time.monotonic()
        pack.lines.put(first)
        while proc.stdout.read(65536):  # a pack that prints must never block on a full pipe
            pass

    pack.pump = threading.Thread(target=pump, daemon=True, name="medinfra-pack-stdout")
    pack.pump.start()
    return pack


