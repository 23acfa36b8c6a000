"""The product's side of the Checkov worker (docs/checkov-worker.md): start it, ask it, stop it.

Checkov lives in its own environment; this module never imports it. A `WorkerClient` either
starts the worker as its child (`start()` returns at once: the worker imports Checkov while the
caller plans) or connects to a worker another process owns (`MEDINFRA_CHECKOV_SOCKET`). Every
request has a deadline. Fail closed: a worker that cannot start, exits, hangs, or answers
anything but a well-formed answer of our protocol version to the request just sent raises
CheckovError (CheckovTimeout for a deadline), whose message names what happened; the gate
turns it into a MED-GATE finding. A client that failed is broken for good: its worker is
killed and never asked again (`default_client()` starts a new one for the next caller).
"""

from __future__ import annotations

import collections
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from typing import Any

from medinfra.policies.checkov_bridge import answers, protocol
from medinfra.policies.checkov_bridge.launch import (
    _pump_lines,
    _pump_tail,
    _worker_env,
    checkov_python,
)
from medinfra.policies.checkov_bridge.runner import CheckovError, CheckovTimeout, Scan, Selection

#: Seconds a client waits for an answer beyond the scan's own deadline, so the worker can still
#: say it overran (the gate's own bound is 0.5 s beyond the deadline).
SCAN_GRACE_S = 0.25
HELLO_TIMEOUT_S = 30.0
_STDERR_TAIL = 4096


class WorkerClient:
    """One worker connection: a child worker (`serve_socket` also shares it with other
    processes on a Unix socket in a private directory) or a connection to `socket_path`."""

    def __init__(self, socket_path: str | None = None, serve_socket: bool = False) -> None:
        self.socket_path = socket_path
        self.serve_socket = serve_socket and socket_path is None
        self.broken: str | None = None
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._dir: str | None = None
        self._writer = None
        self._lines: queue.Queue = queue.Queue()
        self._tail: collections.deque = collections.deque(maxlen=_STDERR_TAIL)
        self._lock = threading.Lock()
        self._next_id = 0
        self._hello: dict[str, Any] | None = None
        self._started = False
        self._tail_pump: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> WorkerClient:
        """Start the worker (or connect); returns at once. A failure is raised by the first
        request (the caller started early so that the import overlaps its own work)."""
        with self._lock:
            if not self._started and self.broken is None:
                self._started = True
                try:
                    self._connect() if self.socket_path and not self.serve_socket else self._spawn()
                except CheckovError as exc:
                    self.broken = str(exc)
        return self

    def _spawn(self) -> None:
        import tempfile

        python = checkov_python()
        command = [python, "-m", "medinfra.policies.checkov_bridge.worker"]
        self._dir = tempfile.mkdtemp(prefix="medinfra-checkov-")  # mode 0700
        if self.serve_socket:
            self.socket_path = os.path.join(self._dir, "worker.sock")
            command += ["--socket", self.socket_path]
        env = _worker_env(self._dir)
        try:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=env, start_new_session=True,
            )
        except OSError as exc:
            raise CheckovError(f"the Checkov worker cannot start ({python}): {exc}") from None
        self._writer = self._proc.stdin
        threading.Thread(target=_pump_lines, args=(self._proc.stdout, self._lines), daemon=True,
                         name="medinfra-checkov-stdout").start()
        self._tail_pump = threading.Thread(target=_pump_tail, args=(self._proc.stderr, self._tail),
                                           daemon=True, name="medinfra-checkov-stderr")
        self._tail_pump.start()

    def _connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self.socket_path)
        except OSError as exc:
            sock.close()
            raise CheckovError(
                f"cannot reach the Checkov worker at ${protocol.SOCKET_ENV}="
                f"{self.socket_path}: {exc.strerror or exc}"
            ) from None
        self._sock = sock
        self._writer = sock.makefile("wb")
        reader = sock.makefile("rb")
        threading.Thread(target=_pump_lines, args=(reader, self._lines), daemon=True,
                         name="medinfra-checkov-client").start()

    def alive(self) -> bool:
        return self.broken is None and (self._proc is None or self._proc.poll() is None)

    def close(self) -> None:
        """Ask a worker we own to shut down (briefly), then make sure it is gone."""
        if self._proc is not None and self._proc.poll() is None and self.broken is None:
            try:
                self.request("shutdown", 2.0)
                self._proc.wait(timeout=2.0)
            except (CheckovError, subprocess.TimeoutExpired):
                pass
        self.broken = self.broken or "the client was closed"
        self._kill()

    def _kill(self, peer: bool = False) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                try:  # its own session: the worker and the scan pool it forked
                    os.killpg(self._proc.pid, signal.SIGKILL)
                except OSError:
                    self._proc.kill()
            try:
                self._proc.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                pass
        elif peer and self._sock is not None and self._hello is not None:
            # A shared worker that failed us fails everyone: its owner starts a new one.
            try:
                os.kill(int(self._hello["pid"]), signal.SIGKILL)
            except (OSError, ValueError, KeyError, TypeError):
                pass
        for closable in (self._writer, self._sock):
            try:
                closable and closable.close()
            except OSError:
                pass
        if self._dir is not None:
            import shutil

            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> WorkerClient:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- requests ---------------------------------------------------------------------------

    def _fail(self, reason: str, timeout: bool = False) -> CheckovError:
        self.broken = reason
        code = self._proc.poll() if self._proc is not None else None
        self._kill(peer=True)
        if code is not None:
            reason += f" (exit code {code})"
        if self._tail_pump is not None:
            self._tail_pump.join(timeout=1.0)
        said = bytes(self._tail).decode("utf-8", "replace").strip().splitlines()
        if said:
            reason += f"; its stderr ends: {said[-1][-300:]}"
        return (CheckovTimeout if timeout else CheckovError)(reason)

    def request(self, op: str, wait_s: float, **args: Any) -> Any:
        """Send one request, wait up to `wait_s` for its answer and return its result.
        Raises CheckovError / CheckovTimeout."""
        deadline = time.monotonic() + wait_s
        self.start()
        if not self._lock.acquire(timeout=max(0.0, wait_s)):
            raise CheckovTimeout(f"the Checkov worker was busy past the {wait_s:g}s deadline")
        try:
            if self.broken is not None:
                raise CheckovError(
                    f"the Checkov worker is not reused after a failure: {self.broken}"
                )
            if op not in ("hello", "shutdown") and self._hello is None:
                self._exchange("hello", deadline, {})
            return self._exchange(op, deadline, args)
        finally:
            self._lock.release()

    def _exchange(self, op: str, deadline: float, args: dict) -> Any:
        self._next_id += 1
        rid = self._next_id
        try:
            self._writer.write(protocol.encode({"protocol": protocol.PROTOCOL, "id": rid,
                                                "op": op, **args}))
            self._writer.flush()
        except (OSError, ValueError) as exc:
            raise self._fail(
                f"the Checkov worker cannot be sent {op!r}: it exited ({exc})"
            ) from None
        try:
            line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise self._fail(f"the Checkov worker did not answer {op!r} in time (timeout; "
                             "worker killed)", timeout=True) from None
        if line is None:
            if self._proc is not None:
                try:
                    self._proc.wait(timeout=1.0)
                except subprocess.TimeoutExpired:
                    pass
            raise self._fail(f"the Checkov worker exited while answering {op!r}")
        try:
            result = answers.result_of(op, rid, line)
        except answers.WorkerFailed as exc:
            if exc.kind == "timeout":
                raise self._fail(
                    f"Checkov did not finish in time: {exc} (timeout)", timeout=True
                ) from None
            if exc.kind in ("checkov", "request"):  # an answer: the worker itself is sound
                raise CheckovError(f"Checkov failed: {exc}") from None
            raise self._fail(f"the Checkov worker failed on {op!r}: {exc}") from None
        except answers.BadAnswer as exc:
            raise self._fail(f"the Checkov worker answered {op!r} with {exc}") from None
        if op == "hello":
            self._hello = result
        return result

    # -- the operations ---------------------------------------------------------------------

    def hello(self, timeout_s: float = HELLO_TIMEOUT_S) -> dict[str, Any]:
        """The worker's hello (protocol, Checkov and Python versions), asked once."""
        if self._hello is None:
            self.request("hello", timeout_s)
        assert self._hello is not None
        return self._hello

    def ping(self, timeout_s: float = HELLO_TIMEOUT_S) -> dict[str, Any]:
        """A fresh hello: is the worker still answering?"""
        return self.request("hello", timeout_s)

    def scan(self, resources: list, selection: Selection | None, timeout_s: float) -> Scan:
        selection = selection or Selection()
        wanted = {"checks": list(selection.checks), "skip_checks": list(selection.skip_checks)}
        return self.request("scan", timeout_s + SCAN_GRACE_S, resources=resources,
                            selection=wanted, timeout_s=timeout_s)

    def checks(self, timeout_s: float = 600.0) -> list[dict[str, Any]]:
        return self.request("checks", timeout_s, timeout_s=timeout_s)

    def run(self, framework: str, files: list[str], timeout_s: float = 600.0,
            checks: list[str] | None = None) -> list[dict[str, Any]]:
        """Checkov's own framework runner on files: its records (check, result, resource)."""
        return self.request("run", timeout_s, framework=framework, files=[str(f) for f in files],
                            checks=checks or [], timeout_s=timeout_s)
