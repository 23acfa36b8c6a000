"""Drive the MedInfra policy pack over the CrossGuard analyzer protocol, as the Pulumi CLI does.

The offline preview has no Pulumi CLI, so this module plays its part: it launches the pack the
way the CLI's python analyzer shim does (`python -u -m pulumi.policy <engine> .`, cwd = the pack,
PULUMI_* in the environment), reads the port, calls Handshake, GetAnalyzerInfo, Configure (the
policy-pack config reconciled with the pack's policies and checked against their schemas, as the
CLI does with `--policy-pack-config FILE`, or without one), Analyze per resource and AnalyzeStack
over gRPC on 127.0.0.1, and always stops the pack (SIGINT, then SIGKILL). The pack's violations
are turned back into findings (see policies/violations.py for the encoding). Any failure raises
AnalyzerError; the caller reports it as a MED-GATE finding (exit 3).
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

import medinfra.policies
from medinfra import child_environment
from medinfra.analyzer_requests import (  # noqa: F401 - part of this module's API
    AnalyzerError,
    analyze_requests,
    analyze_stack_request,
    analyzer_resource,
    configure_request,
    level_name,
    wire_properties,
)
from medinfra.policies.inventory_schema import inventory_problems
from medinfra.policies.violations import (
    FIXED_LEVELS,
    PACK_NAME,
    decode_violation,
    policy_name_for,
)

PACK_DIR = Path(medinfra.policies.__file__).resolve().parent
ENGINE_ADDRESS = "127.0.0.1:0"  # the CLI passes its engine's address; the pack never dials it
_STOP_GRACE_S = 3.0
_MAX_MESSAGE = 400 * 1024 * 1024  # what the pack itself allows
_CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
    ("grpc.max_send_message_length", _MAX_MESSAGE),
    ("grpc.enable_http_proxy", 0),  # loopback only: never route through an *_proxy variable
]
_EXPECTED_LEVELS = {
    name: analyzer_pb2.EnforcementLevel.Value(level.upper()) for name, level in FIXED_LEVELS.items()
}




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
        PULUMI_CONFIG=json.dumps({f"{project}:{k}": _config_text(v) for k, v in config.items()}),
    )
    env.pop("PULUMI_CONFIG_SECRET_KEYS", None)  # never inherit a stray one
    return child_environment(env)


_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)')


def _tail(stderr) -> str:
    """What the pack said on stderr, as one line: its last error line and where it was raised;
    the whole of it goes to a private log file whose path is given (never pasted here)."""
    stderr.seek(0)
    text = stderr.read().decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    lines = text.splitlines()
    fd, log = tempfile.mkstemp(prefix="medinfra-pack-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    frames = [m for m in map(_FRAME.match, lines) if m]
    last = next((ln.strip() for ln in reversed(lines) if ln.strip() and not _FRAME.match(ln)), "")
    where = ""
    if frames:
        path = Path(frames[-1]["file"])
        root = PACK_DIR.parent
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        where = f" at {shown}:{frames[-1]['line']}"
    return f": the pack said {last[:200]!r}{where} (full log: {log})"


def _pump(stdout, lines: queue.Queue) -> None:
    lines.put(stdout.readline())
    # Keep draining: a pack that prints must never block on a full pipe.
    while stdout.read(65536):
        pass


def _read_port(proc: subprocess.Popen, lines: queue.Queue, deadline: float) -> int:
    try:
        first = lines.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        raise AnalyzerError(
            "the policy pack did not start serving within the gate timeout (timeout; killed)"
        ) from None
    text = first.decode("utf-8", errors="replace").strip()
    if not text:
        try:
            code = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            code = "unknown"
        raise AnalyzerError(f"the policy pack exited (code {code}) before serving")
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise AnalyzerError(f"the policy pack printed {text[:80]!r} where its port belongs")
    return int(text)


def _stop(proc: subprocess.Popen, grace: float = _STOP_GRACE_S) -> None:
    """SIGINT (the pack's only clean shutdown), then SIGKILL, as the CLI does."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait()


@contextmanager
def running_pack(pack_dir: Path, env: dict[str, str], deadline: float):
    """Launch the pack as the CLI does; yield its port; always stop it."""
    command = [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "."]
    with tempfile.TemporaryFile(prefix="medinfra-pack-") as stderr:
        try:
            proc = subprocess.Popen(
                command,
                cwd=pack_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        except OSError as exc:
            raise AnalyzerError(f"cannot start the policy pack in {pack_dir}: {exc}") from None
        lines: queue.Queue[bytes] = queue.Queue()
        pump = threading.Thread(
            target=_pump, args=(proc.stdout, lines), daemon=True, name="medinfra-pack-stdout"
        )
        pump.start()
        try:
            yield _read_port(proc, lines, deadline)
        except AnalyzerError as exc:
            # Past the deadline there is no grace: what overran is killed.
            _stop(proc, grace=min(_STOP_GRACE_S, max(0.2, deadline - time.monotonic())))
            raise AnalyzerError(f"{exc}{_tail(stderr)}") from None
        except Exception as exc:  # fail closed: the caller turns every failure into a finding
            _stop(proc, grace=min(_STOP_GRACE_S, max(0.2, deadline - time.monotonic())))
            raise AnalyzerError(
                f"driving the policy pack failed: {type(exc).__name__}: {exc}{_tail(stderr)}"
            ) from exc
        finally:
            _stop(proc)
            pump.join(timeout=2.0)  # the pipe reaches EOF once the pack is gone
            if not pump.is_alive():
                proc.stdout.close()


def _call(method, request, deadline: float, what: str, unimplemented_ok: bool = False):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise AnalyzerError(f"the gate timeout ran out before {what} (timeout; pack killed)")
    try:
        return method(request, timeout=remaining)
    except grpc.RpcError as exc:
        if unimplemented_ok and exc.code() == grpc.StatusCode.UNIMPLEMENTED:
            return None
        if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
            raise AnalyzerError(
                f"{what} did not answer within the gate timeout (timeout; pack killed)"
            ) from None
        raise AnalyzerError(f"{what} failed: {exc.code().name}: {exc.details()}") from None


def _drive(port: int, pack_dir: Path, request, deadline: float, pack_config):
    with grpc.insecure_channel(f"127.0.0.1:{port}", options=_CHANNEL_OPTIONS) as channel:
        stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        handshake = analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address=ENGINE_ADDRESS,
            root_directory=str(pack_dir),
            program_directory=str(pack_dir),
        )
        _call(stub.Handshake, handshake, deadline, "Handshake", unimplemented_ok=True)
        info = _call(stub.GetAnalyzerInfo, empty_pb2.Empty(), deadline, "GetAnalyzerInfo")
        configure, configured = configure_request(info, pack_config)
        _call(stub.Configure, configure, deadline, "Configure")
        stack_request, resource_requests = request
        for each in resource_requests:  # as the engine does, resource by resource, then the stack
            answer = _call(stub.Analyze, each, deadline, f"Analyze of {each.urn}")
            if answer.diagnostics:
                raise AnalyzerError(
                    f"Analyze of {each.urn} reported {len(answer.diagnostics)} diagnostic(s); "
                    "the pack's resource policy reports none"
                )
        response = _call(stub.AnalyzeStack, stack_request, deadline, "AnalyzeStack")
    return info, response, configured


def _rule_levels(
    info: analyzer_pb2.AnalyzerInfo, configured: dict[str, dict[str, Any]] | None = None
) -> dict[str, str]:
    """Each rule policy's level as configured (the level the pack reports it at)."""
    if info.name != PACK_NAME:
        raise AnalyzerError(f"expected the {PACK_NAME!r} policy pack, got {info.name!r}")
    levels = {p.name: p.enforcementLevel for p in info.policies}
    for name, level in _EXPECTED_LEVELS.items():
        if levels.get(name) != level:
            raise AnalyzerError(f"the policy pack lacks policy {name} at its enforcement level")
    configured = configured or {}
    return {
        name: (configured.get(name) or {}).get("enforcementLevel") or level_name(level)
        for name, level in levels.items()
        if name not in FIXED_LEVELS
    }


def findings_from_response(
    info: analyzer_pb2.AnalyzerInfo,
    response: analyzer_pb2.AnalyzeResponse,
    configured: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The gate's findings (Finding.to_dict(), in the gate's order) from the pack's answers.

    Checks each violation against the finding it carries (policy, enforcement, URN) and that
    none is missing; any mismatch is an AnalyzerError, never a silently shorter list.
    """
    rule_levels = _rule_levels(info, configured)
    decoded = []
    for diag in response.diagnostics:
        try:
            seq, total, finding = decode_violation(diag.message)
        except ValueError as exc:
            raise AnalyzerError(
                f"policy {diag.policyName} reported a violation that is not a MedInfra finding "
                f"({exc}): {diag.message[:200]!r}"
            ) from None
        mandatory = diag.enforcementLevel == analyzer_pb2.MANDATORY
        expected_policy = policy_name_for(finding, rule_levels)
        if (
            diag.policyName != expected_policy
            or mandatory != finding.blocks
            or diag.urn != finding.urn
        ):
            level = analyzer_pb2.EnforcementLevel.Name(diag.enforcementLevel)
            raise AnalyzerError(
                f"violation of {finding.id} on {finding.urn or 'the stack'} came from policy "
                f"{diag.policyName} at level {level}; expected {expected_policy}"
            )
        decoded.append((seq, total, finding))
    totals = {total for _, total, _ in decoded}
    seqs = sorted(seq for seq, _, _ in decoded)
    if decoded and (len(totals) != 1 or seqs != list(range(totals.pop()))):
        raise AnalyzerError(
            f"the policy pack reported {len(decoded)} violations that do not "
            "form one complete result"
        )
    return [finding.to_dict() for _, _, finding in sorted(decoded, key=lambda d: d[0])]


def analyze_over_protocol(
    inventory: dict[str, Any],
    pack_dir: Path = PACK_DIR,
    timeout: float = 120.0,
    env: dict[str, str] | None = None,
    pack_config: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Judge `inventory` with the policy pack at `pack_dir`, over the analyzer protocol.

    `pack_config` is a policy-pack config file's object (`--policy-pack-config`), configured
    as the CLI configures the pack; None configures every policy at its default, as the CLI
    does without the flag.

    `env` is the base environment for the pack (default: this process's); the PULUMI_* variables
    and PYTHONPATH are set from the Inventory. Returns the findings as Finding.to_dict() dicts;
    raises AnalyzerError if the pack cannot be started, crashes, times out or answers wrongly.
    """
    problems = inventory_problems(inventory, limit=3)
    if problems:
        raise AnalyzerError("the Inventory is malformed: " + "; ".join(problems))
    deadline = time.monotonic() + timeout
    request = (analyze_stack_request(inventory), analyze_requests(inventory))
    pack_dir = Path(pack_dir).resolve()
    with running_pack(pack_dir, pack_environment(inventory, env), deadline) as port:
        info, response, configured = _drive(port, pack_dir, request, deadline, pack_config)
    return findings_from_response(info, response, configured)
