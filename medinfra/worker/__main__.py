"""`python -m medinfra.worker RESULT_FILE`: plan one program, write the result document.

Started by `medinfra.planner` in a fresh interpreter per stack (a program's module state
and Pulumi's runtime settings are process-global). Reads a JSON request on stdin and writes a
JSON result to the file named by argv[1]; the program's own prints go to stderr so they can
never corrupt machine-readable output.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from pulumi.runtime import config as pulumi_config
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime import stack as pulumi_stack
from pulumi.runtime.sync_await import _sync_await

from medinfra.mocks import OfflineCloud
from medinfra.mocks.preview import SYNTHETIC, PreviewSemantics
from medinfra.policies.inventory import UNKNOWN, redact
from medinfra.policies.wire import from_wire
from medinfra.worker.errors import describe, user_location
from medinfra.worker.import_timing import SdkImportTimer
from medinfra.worker.monitor import (
    RecordingEngine,
    RecordingMonitor,
    unknowable_data_sources_are_unknown,
)
from medinfra.worker.sdk_tuning import pending_outputs, tune_sdk_for_offline_planning

#: Seconds from the interpreter's start to this module imported (set by worker/bootstrap.py).
STARTUP_SECONDS: float | None = None


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Plan the program described by `request`; return the result document."""
    started = time.perf_counter()
    tuning = []
    outputs: Any = set()
    if os.environ.get("MEDINFRA_PLANNER_TUNING", "1") != "0":
        tuning = tune_sdk_for_offline_planning()
        outputs, queue_patch = pending_outputs(settings)
        tuning += queue_patch
    elif not isinstance(settings.SETTINGS.outputs, set):
        outputs = type(settings.SETTINGS.outputs)()  # the SDK's own container, untuned
    program_dir = Path(request["dir"]).resolve()
    main = Path(request["main"]).resolve()
    cloud = OfflineCloud(request["config"], request.get("data_sources"))
    unknowable_data_sources_are_unknown(cloud)
    semantics = request.get("semantics") or {}
    monitor = RecordingMonitor(
        cloud,
        request["project"],
        request["stack"],
        program_dir,
        PreviewSemantics(
            cloud, semantics.get("mode", SYNTHETIC), semantics.get("state") or {}
        ),
        semantics.get("stack_outputs") or {},
        config=request["config"],
        secret_keys=request["secret_keys"],
    )
    engine = RecordingEngine()
    settings.configure(
        mocks.MockSettings(
            monitor=monitor,
            engine=engine,
            project=request["project"],
            stack=request["stack"],
            dry_run=True,
            organization="organization",
            root_directory=str(program_dir),
            outputs=outputs,
            lock=threading.Lock(),
        )
    )
    pulumi_config.set_all_config(request["config"], request["secret_keys"])
    os.chdir(program_dir)
    sys.path.insert(0, str(main.parent))
    sdk_imports = SdkImportTimer().install()
    sys.argv = [str(main)]
    try:
        _sync_await(
            pulumi_stack.run_in_stack(lambda: runpy.run_path(str(main), run_name="__main__"))
        )
    except Exception as exc:  # the user's program failed: report it, not our internals
        if monitor.failures:  # a data source we could not answer: say so, and where
            failure = monitor.failures[0]
            location = failure["location"] or user_location(exc, program_dir)
            return {
                "ok": False,
                "kind": "program",
                "message": failure["message"],
                "location": location,
            }
        return {
            "ok": False,
            "kind": "program",
            "message": describe(exc),
            "location": user_location(exc, program_dir),
        }
    if monitor.failures:
        return {"ok": False, "kind": "program", **monitor.failures[0]}
    errors = [m for m in engine.messages if m["severity"] == "error"]
    if errors:
        return {
            "ok": False,
            "kind": "program",
            "message": "\n".join(m["message"] for m in errors),
            "location": None,
        }
    resources = monitor.inventory()
    outputs, _, _ = redact(monitor.outputs)
    return {
        "ok": True,
        "resources": [r.to_dict() for r in resources],
        "outputs": outputs,
        "messages": engine.messages,
        "plan_seconds": round(time.perf_counter() - started, 4),
        "sdk_import_seconds": round(sdk_imports.seconds, 4),
        "startup_seconds": STARTUP_SECONDS,
        "sdk_tuning": tuning,
        "unconfigured_providers": sorted(monitor.semantics.unconfigured),
        "sdks": sdk_versions(),
        **({"state": _deployed(monitor)} if semantics.get("record_state") else {}),
    }


def sdk_versions() -> dict[str, str]:
    """The installed version of every Pulumi SDK the program imported (pulumi, pulumi_aws...),
    as found in the interpreter that planned it (the program's virtualenv, if it declares one)."""
    from importlib import metadata

    found = {}
    for name in sorted(n for n in sys.modules if n == "pulumi" or n.startswith("pulumi_")):
        if "." in name:
            continue
        try:
            found[name.replace("_", "-")] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _deployed(monitor: RecordingMonitor) -> list[dict[str, Any]]:
    """The resources as `pulumi stack export` would list them had the plan been deployed with
    the ids and outputs this run answered (tests build `--state` files from it). Secret values
    are redacted; what JSON cannot hold is dropped."""
    custom = {rec["urn"]: rec["request"].type for rec in monitor.records if rec["custom"]}
    out = []
    for urn, registration in monitor.resources.items():
        if urn in custom:
            outputs, _, _ = redact(from_wire(_sync_await(
                rpc.serialize_properties(registration.state, {})), UNKNOWN))
            out.append({"urn": urn, "custom": True, "type": custom[urn],
                        "id": registration.id, "outputs": outputs})
    return out


def main() -> int:
    """Read the request on stdin, plan it, write the result to argv[1]; always exit 0."""
    request = json.load(sys.stdin)
    result_path = sys.argv[1]
    try:
        result = run(request)
    except Exception as exc:  # our own failure: report it as such (exit 3 upstream)
        result = {
            "ok": False,
            "kind": "internal",
            "message": f"{type(exc).__name__}: {exc}",
            "location": None,
            "traceback": traceback.format_exc(),
        }
    with open(result_path, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.stdout = sys.stderr  # the program's prints must never reach our stdout
    sys.exit(main())
