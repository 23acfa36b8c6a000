"""The Checkov worker: a long-lived process of Checkov's own environment that the gate asks to
scan (docs/checkov-worker.md).

    <checkov python> -m medinfra.policies.checkov_bridge.worker [--socket PATH]

It imports Checkov as soon as it starts (a background thread, so `hello` is answered at once),
then answers JSON-lines requests (policies/checkov_bridge/protocol.py) on stdin/stdout; with
`--socket` it also serves the same protocol on a Unix socket, one thread per connection, so the
policy packs `medinfra preview` launches share it. Stdin is its owner: when it closes (or the
owner sends `shutdown`) the worker exits. A scan that overruns its deadline cannot be stopped
inside the process, so the worker answers the timeout and exits: nothing reuses it.

Imports: the standard library, Checkov and the bridge modules the scan needs (never pydantic,
PyYAML, pulumi or any other product dependency: tests/test_checkov_worker.py checks it).
Checkov writes to stdout at times; the protocol therefore keeps a private duplicate of the
original stdout and points file descriptor 1 at stderr.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import socket
import sys
import threading
from typing import Any, BinaryIO

from medinfra.policies.checkov_bridge import protocol, runner

_LOCK = threading.Lock()  # one Checkov run at a time (its registries are process-wide)
_listing: list[dict[str, Any]] | None = None


class RequestError(Exception):
    """The request is malformed (answered with kind "request")."""


def _warm_up() -> None:
    """Import Checkov (and gc.freeze, in runner.load_checkov). The scan pool is forked from this
    warm process on the first plan big enough to need it (runner.PARALLEL_MIN_ITEMS), so a
    small plan's worker is one process."""
    runner.load_checkov()


def _start_import() -> threading.Thread:
    thread = threading.Thread(target=_warm_up, name=runner.PREWARM_THREAD, daemon=True)
    thread.start()
    return thread


def _strings(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RequestError(f"{what}: expected a list of strings")
    return value


def _timeout(request: dict) -> float:
    value = request.get("timeout_s")
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise RequestError(f"timeout_s: expected a positive number, got {value!r}"[:200])
    return float(value)


def _hello(state: dict) -> dict[str, Any]:
    return {
        "protocol": protocol.PROTOCOL,
        "checkov": importlib.metadata.version("checkov"),
        "python": platform.python_version(),
        "executable": sys.executable,
        "pid": os.getpid(),
        "ready": runner._checkov is not None,
        "socket": state.get("socket"),
    }


def _scan(request: dict) -> dict[str, Any]:
    resources = request.get("resources")
    if not isinstance(resources, list):
        raise RequestError("resources: expected a list of Inventory resources")
    selection = request.get("selection") or {}
    if not isinstance(selection, dict):
        raise RequestError("selection: expected a mapping with checks / skip_checks")
    chosen = runner.Selection(
        tuple(_strings(selection.get("checks"), "selection.checks")),
        tuple(_strings(selection.get("skip_checks"), "selection.skip_checks")),
    )
    found = runner.scan(resources, chosen, _timeout(request))
    return {
        "results": [dict(vars(r)) for r in found.results],  # flat str fields: asdict's copy
        "timings": found.timings,
        "unmapped_types": found.unmapped_types,
        "scanned": found.scanned,
    }


def _checks() -> list[dict[str, Any]]:
    """Every resource and graph check of the frameworks the gate converts to, with metadata."""
    global _listing
    if _listing is not None:
        return _listing
    runner.load_checkov()
    from checkov.arm.registry import arm_resource_registry
    from checkov.common.bridgecrew.check_type import CheckType
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.kubernetes.checks.resource.registry import registry as k8s_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    out: list[dict[str, Any]] = []
    for framework, registry in (
        ("terraform", resource_registry),
        ("arm", arm_resource_registry),
        ("kubernetes", k8s_registry),
    ):
        entries: dict[int, dict[str, Any]] = {}
        for entity, check in registry.all_checks():
            entry = entries.setdefault(id(check), {
                "id": check.id, "name": check.name, "guideline": check.guideline,
                "framework": framework, "kind": "resource", "entities": [],
                "supported": list(check.supported_entities),
                "module": type(check).__module__, "path": None,
            })
            entry["entities"].append(entity)
        out += entries.values()
    for check_type in (CheckType.TERRAFORM, CheckType.ARM, CheckType.KUBERNETES):
        graph = get_graph_checks_registry(check_type)
        graph.load_checks()
        out += [
            {
                "id": check.id, "name": check.name, "guideline": check.guideline,
                "framework": str(check_type), "kind": "graph",
                "entities": list(check.resource_types), "supported": list(check.resource_types),
                "module": type(check).__module__,
                "path": check.check_path,
            }
            for check in graph.checks
        ]
    _listing = out
    return out


def _run(request: dict) -> dict[str, Any]:
    """One of Checkov's framework runners on files, as `checkov -f` would run it."""
    framework = request.get("framework")
    if framework not in protocol.RUN_FRAMEWORKS:
        raise RequestError(f"framework: {framework!r} is not one of {protocol.RUN_FRAMEWORKS}")
    files = _strings(request.get("files"), "files")
    checks = _strings(request.get("checks"), "checks")
    runner.load_checkov()
    import importlib

    from checkov.runner_filter import RunnerFilter

    module = {
        "terraform_plan": "checkov.terraform.plan_runner",
        "arm": "checkov.arm.runner",
        "kubernetes": "checkov.kubernetes.runner",
        "github_actions": "checkov.github_actions.runner",
        "dockerfile": "checkov.dockerfile.runner",
        "secrets": "checkov.secrets.runner",
    }[framework]
    framework_runner = importlib.import_module(module).Runner()
    rf = RunnerFilter(
        framework=[framework], checks=checks or None, show_progress_bar=False,
        enable_secret_scan_all_files=framework == "secrets",
    )
    reports = framework_runner.run(root_folder=None, files=files, runner_filter=rf)
    records = []
    for report in reports if isinstance(reports, list) else [reports]:
        for record in [*report.failed_checks, *report.passed_checks, *report.skipped_checks]:
            result = record.check_result.get("result")
            records.append({
                "check_id": record.check_id, "check_name": record.check_name,
                "result": getattr(result, "name", str(result)), "resource": record.resource,
                "file_path": record.file_path, "guideline": record.guideline,
            })
    return {"records": records}


def handle(line: bytes, state: dict, owner: bool) -> tuple[dict[str, Any], int | None]:
    """The answer to one request line, and the exit code if the worker must exit after it."""
    try:
        request = json.loads(line)
    except ValueError as exc:
        return protocol.failure(None, "request", f"not JSON: {exc}"), None
    if not isinstance(request, dict):
        return protocol.failure(None, "request", "a request is a JSON object"), None
    rid, op = request.get("id"), request.get("op")
    if request.get("protocol") != protocol.PROTOCOL:
        message = (
            f"protocol {request.get('protocol')!r} not spoken (this worker: {protocol.PROTOCOL})"
        )
        return protocol.failure(rid, "request", message), None
    try:
        if op == "hello":
            return protocol.answer(rid, _hello(state)), None
        if op == "shutdown":
            return protocol.answer(rid, {"bye": owner}), 0 if owner else None
        if not _LOCK.acquire(timeout=_timeout(request)):
            raise runner.CheckovTimeout("another Checkov run held the worker (timeout)")
        try:
            if op == "scan":
                return protocol.answer(rid, _scan(request)), None
            if op == "checks":
                return protocol.answer(rid, {"checks": _checks()}), None
            if op == "run":
                return protocol.answer(rid, _run(request)), None
        finally:
            _LOCK.release()
        raise RequestError(f"op: {op!r} is not one of {protocol.OPS}")
    except RequestError as exc:
        return protocol.failure(rid, "request", str(exc)), None
    except runner.CheckovTimeout as exc:
        return protocol.failure(rid, "timeout", str(exc)), 3  # a stuck scan thread: never reused
    except runner.CheckovError as exc:
        return protocol.failure(rid, "checkov", str(exc)), None
    except Exception as exc:  # noqa: BLE001 - answered, with its reason
        return protocol.failure(rid, "internal", f"{type(exc).__name__}: {exc}"), None


def serve(reader: BinaryIO, writer: BinaryIO, state: dict, owner: bool) -> int | None:
    """Answer requests until EOF (None) or a request after which the worker exits (its code)."""
    while True:
        line = reader.readline(protocol.MAX_LINE)
        if not line:
            return None
        if not line.strip():
            continue
        reply, code = handle(line, state, owner)
        writer.write(protocol.encode(reply))
        writer.flush()
        if code is not None:
            return code


def _listen(path: str, state: dict) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(16)
    state["socket"] = path

    def connection(conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader, conn.makefile("wb") as writer:
            try:
                code = serve(reader, writer, state, owner=False)
            except OSError:
                return  # the client went away
            if code is not None:
                os._exit(code)

    def accept() -> None:
        while True:
            conn, _ = server.accept()
            threading.Thread(target=connection, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, name="medinfra-checkov-accept", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="medinfra.policies.checkov_bridge.worker")
    parser.add_argument("--socket", help="also serve on this Unix socket path")
    args = parser.parse_args(argv)
    _start_import()
    # The protocol owns the original stdout; whatever Checkov prints goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    state: dict[str, Any] = {}
    if args.socket:
        _listen(args.socket, state)
    code = serve(sys.stdin.buffer, out, state, owner=True)
    out.flush()
    os._exit(code or 0)  # daemon threads (an import, a stuck scan) end with the process


if __name__ == "__main__":
    sys.exit(main())
