"""Runs one Pulumi Python program under Pulumi's mock runtime and records what it would create.

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
from collections import deque
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import config as pulumi_config
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime import stack as pulumi_stack
from pulumi.runtime.proto import engine_pb2, resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from medinfra.mocks import OfflineCloud, UnansweredInvoke
from medinfra.policies.inventory import (
    UNKNOWN,
    InventoryResource,
    Secret,
    package_of,
    redact,
    resolve_references,
)

_SIG = rpc._special_sig_key
_STACK_TYPE = "pulumi:pulumi:Stack"


def _to_python(value: Any) -> Any:
    """Protobuf Struct value -> Python, keeping secrets (Secret) and unknowns (UNKNOWN) visible."""
    if isinstance(value, struct_pb2.Struct):
        if _SIG in value:
            sig = value[_SIG]
            if sig == rpc._special_secret_sig:
                return Secret(_to_python(value["value"]))
            if sig == rpc._special_resource_sig:
                return value["urn"]
            if sig == rpc._special_asset_sig:
                return {k: value[k] for k in ("path", "text", "uri") if k in value}
            if sig == rpc._special_archive_sig:
                return {k: value[k] for k in ("path", "uri") if k in value} or {"assets": {}}
            return UNKNOWN
        return {k: _to_python(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, struct_pb2.ListValue):
        return [_to_python(v) for v in value]
    if value == rpc.UNKNOWN:
        return UNKNOWN
    return value


class OutputQueue:
    """The SDK's queue of pending Outputs (`Settings.outputs`) with O(1) `remove`.

    The SDK keeps every Output's future in a deque and removes each one when it resolves;
    `deque.remove` is linear, which makes planning quadratic in the number of Outputs (5,000
    resources took 18x the time of 1,000). Same operations, same order: a deque for order plus
    the set of live items, with removed items skipped lazily by `popleft`.
    """

    def __init__(self) -> None:
        self._order: deque = deque()
        self._live: set = set()

    def append(self, item: Any) -> None:
        self._order.append(item)
        self._live.add(item)

    def remove(self, item: Any) -> None:
        if item not in self._live:
            raise ValueError("OutputQueue.remove(x): x not in queue")
        self._live.remove(item)

    def popleft(self) -> Any:
        while True:
            item = self._order.popleft()  # IndexError when empty, as deque
            if item in self._live:
                self._live.remove(item)
                return item

    def clear(self) -> None:
        self._order.clear()
        self._live.clear()

    def __len__(self) -> int:
        return len(self._live)


def _memoize_per_class(function):
    """Cache a pure function of a class; hand out copies so no caller can alter the cache."""
    cache: dict[type, dict] = {}

    def cached(cls: type) -> dict:
        if cls not in cache:
            cache[cls] = function(cls)
        return dict(cache[cls])

    cached.__wrapped__ = function
    return cached


def tune_sdk_for_offline_planning() -> list[str]:
    """Make the SDK's per-resource overhead fit an offline plan; return what was applied.

    None of these changes what a program registers (tests compare inventories): the SDK
    re-derives a class's property types on every registration (pure, so memoized); it captures a
    source-position stack trace per resource for the engine's UI (nothing reads it offline); and
    planning allocates hundreds of thousands of short-lived asyncio objects, so cyclic GC and
    GIL hand-offs between the event loop and the executor threads dominate unless relaxed.
    Together: ~8 s -> ~3 s for 1,000 resources (scripts/bench_preview.py).
    """
    import gc

    import pulumi._types as sdk_types
    import pulumi.runtime.resource as sdk_resource
    from pulumi.runtime.proto import source_pb2

    applied = []
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    sys.setswitchinterval(1e-4)
    applied += ["gc-threshold", "switch-interval"]
    for name in ("_types_from_py_properties", "_types_from_annotations"):
        if callable(getattr(sdk_types, name, None)):
            setattr(sdk_types, name, _memoize_per_class(getattr(sdk_types, name)))
            applied.append(name)
    if callable(getattr(sdk_resource, "_get_stack_trace", None)):
        sdk_resource._get_stack_trace = source_pb2.StackTrace
        applied.append("_get_stack_trace")
    return applied


class _NoMocks(mocks.Mocks):
    def new_resource(self, args):  # pragma: no cover - RecordingMonitor never delegates
        raise AssertionError("RecordingMonitor answers resources itself")

    def call(self, args):  # pragma: no cover
        raise AssertionError("RecordingMonitor answers invokes itself")


class RecordingMonitor(mocks.MockMonitor):
    """A mock resource monitor that records each registration with its full request."""

    def __init__(self, cloud: OfflineCloud, project: str, stack: str, program_dir: Path):
        super().__init__(_NoMocks())
        self.cloud = cloud
        self.program_dir = program_dir
        self.failures: list[dict[str, Any]] = []
        self.call_sites = record_invoke_call_sites(program_dir)
        # Registrations run on executor threads, where Pulumi's settings ContextVars are unset.
        self.project = project
        self.stack = stack
        self.lock = threading.Lock()
        self.records: list[dict[str, Any]] = []
        self.known_values: dict[str, str] = {}
        self.outputs: dict[str, Any] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine builds it: the parent's full qualified type chain, minus the root stack.
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != _STACK_TYPE:
                type_ = f"{parent_type}${type_}"
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == _STACK_TYPE:
            with self.lock:
                self.records.append({"urn": urn, "request": request, "custom": False})
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()
        inputs = rpc.deserialize_properties(request.object)
        if request.custom:
            rid, outputs, generated = self.cloud.new_resource(
                request.type, request.name, inputs, urn
            )
        else:
            rid, outputs, generated = "", {}, set()
        obj = _sync_await(rpc.serialize_properties(outputs, {}))
        with self.lock:
            self.records.append({"urn": urn, "request": request, "custom": request.custom})
            self.known_values[urn] = urn
            for value in generated:
                self.known_values.setdefault(value, urn)
            self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, rid, outputs)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=rid, object=obj)

    def SupportsFeature(self, request):
        # New-style transforms run through an engine-side callback server that the mock runtime
        # does not have; declining the feature makes the SDK fail fast (see _describe).
        if request.id in ("transforms", "invokeTransforms"):
            return type("SupportsFeatureResponse", (), {"hasSupport": False})
        return super().SupportsFeature(request)

    def RegisterResourceOutputs(self, request):
        if request.urn.split("::")[2] == _STACK_TYPE:
            self.outputs = _to_python(request.outputs)
        return super().RegisterResourceOutputs(request)

    def Invoke(self, request):
        _ensure_event_loop()
        if request.tok == "pulumi:pulumi:getResource":
            return super().Invoke(request)
        args = rpc.deserialize_properties(request.args)
        try:
            ret = self.cloud.invoke(request.tok, args)
        except UnansweredInvoke as exc:
            # The SDK turns this into a logged error; remember where the program made the call.
            self.failures.append(
                {"message": str(exc), "location": self.call_sites.get(request.tok)}
            )
            raise
        from pulumi.runtime.proto import provider_pb2

        ret_proto = _sync_await(rpc.serialize_properties(ret, {}))
        return provider_pb2.InvokeResponse(failures=None, **{"return": ret_proto})

    def Call(self, request):
        raise UnansweredInvoke(f"the resource method {request.tok!r} cannot be answered offline")

    def inventory(self) -> list[InventoryResource]:
        """Every recorded resource in Inventory shape: stack first, then by URN."""
        out = []
        for rec in self.records:
            req = rec["request"]
            props, secrets, unknowns = redact(_to_python(req.object))
            prop_deps = {k: list(v.urns) for k, v in req.propertyDependencies.items()}
            out.append(
                InventoryResource(
                    urn=rec["urn"],
                    type=req.type,
                    name=req.name,
                    provider=package_of(req.type) if rec["custom"] else None,
                    parent=req.parent or None,
                    dependencies=sorted(set(req.dependencies)),
                    props=props,
                    unknowns=unknowns,
                    secrets=secrets,
                    references=resolve_references(props, unknowns, prop_deps, self.known_values),
                )
            )
        out.sort(key=lambda r: (r.type != _STACK_TYPE, r.urn))
        return out


class RecordingEngine:
    """Collects what the program logs; errors fail the preview as they fail `pulumi preview`."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []

    def Log(self, request):
        severity = {
            engine_pb2.DEBUG: "debug",
            engine_pb2.INFO: "info",
            engine_pb2.WARNING: "warning",
            engine_pb2.ERROR: "error",
        }.get(request.severity, "info")
        if severity != "debug":
            self.messages.append(
                {"severity": severity, "message": request.message, "urn": request.urn}
            )

    def GetRootResource(self, request):  # pragma: no cover - only used by real engines
        return engine_pb2.GetRootResourceResponse(urn="")

    def SetRootResource(self, request):  # pragma: no cover
        return engine_pb2.SetRootResourceResponse()


def _program_frame(frames: list[traceback.FrameSummary], program_dir: Path) -> str | None:
    """file:line of the innermost frame that belongs to the program (not a library)."""
    for frame in reversed(frames):
        if not os.path.isabs(frame.filename):  # '<frozen ...>', '<string>': not a file
            continue
        path = Path(frame.filename).resolve()
        if (
            path.is_file()
            and path.is_relative_to(program_dir)
            and not any(part in ("site-packages", ".venv") for part in path.parts)
        ):
            return f"{path.relative_to(program_dir)}:{frame.lineno}"
    return None


def record_invoke_call_sites(program_dir: Path) -> dict[str, str]:
    """Remember, per data-source token, the program line that last called it.

    Provider SDKs call `pulumi.runtime.invoke*` on the program's own thread, so the stack at
    that moment holds the call site; by the time the monitor fails the invoke, it may not.
    """
    import pulumi.runtime as sdk_runtime

    sites: dict[str, str] = {}

    def wrap(function):
        def recorded(tok, *args, **kwargs):
            site = _program_frame(traceback.extract_stack(), program_dir)
            if site:
                sites[tok] = site
            return function(tok, *args, **kwargs)

        return recorded

    for name in ("invoke", "invoke_async", "invoke_output", "invoke_output_async"):
        if callable(getattr(sdk_runtime, name, None)):
            setattr(sdk_runtime, name, wrap(getattr(sdk_runtime, name)))
    return sites


def _user_location(exc: BaseException, program_dir: Path) -> str | None:
    """file:line of the innermost frame of the user's program in the exception's traceback."""
    seen: set[int] = set()
    chain: list[BaseException] = []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    for item in chain:
        location = _program_frame(traceback.extract_tb(item.__traceback__), program_dir)
        if location:
            return location
    return None


def _describe(exc: BaseException) -> str:
    import pulumi

    if isinstance(exc, (pulumi.RunError, UnansweredInvoke)):
        return str(exc)
    if isinstance(exc, pulumi.InputPropertiesError):
        lines = [str(exc.message)] + [
            f"  - {e['property_path']}: {e['reason']}" for e in getattr(exc, "errors", None) or []
        ]
        return "\n".join(lines)
    text = str(exc)
    if "does not support transforms" in text:
        return (
            "resource transforms (ResourceOptions.transforms, register_resource_transform) are "
            "not supported by the offline planner; legacy ResourceOptions.transformations are"
        )
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Plan the program described by `request`; return the result document."""
    started = time.perf_counter()
    if os.environ.get("MEDINFRA_PLANNER_TUNING", "1") != "0":
        tune_sdk_for_offline_planning()
    program_dir = Path(request["dir"]).resolve()
    main = Path(request["main"]).resolve()
    cloud = OfflineCloud(request["config"])
    monitor = RecordingMonitor(cloud, request["project"], request["stack"], program_dir)
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
            outputs=OutputQueue(),
            lock=threading.Lock(),
        )
    )
    pulumi_config.set_all_config(request["config"], request["secret_keys"])
    os.chdir(program_dir)
    sys.path.insert(0, str(main.parent))
    sys.argv = [str(main)]
    try:
        _sync_await(
            pulumi_stack.run_in_stack(lambda: runpy.run_path(str(main), run_name="__main__"))
        )
    except Exception as exc:  # the user's program failed: report it, not our internals
        if monitor.failures:  # a data source we could not answer: say so, and where
            failure = monitor.failures[0]
            location = failure["location"] or _user_location(exc, program_dir)
            return {
                "ok": False,
                "kind": "program",
                "message": failure["message"],
                "location": location,
            }
        return {
            "ok": False,
            "kind": "program",
            "message": _describe(exc),
            "location": _user_location(exc, program_dir),
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
    }


def main() -> int:
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
