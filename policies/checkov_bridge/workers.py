"""Which Checkov worker this process asks (docs/checkov-worker.md "Who starts which worker").

* A process given `MEDINFRA_CHECKOV_SOCKET` (a pack `medinfra preview` launched) connects to
  the worker there: the preview's own, already warm.
* `medinfra preview` calls `shared_worker()` first thing: one worker, started before planning
  (its Checkov import overlaps the plan), serving this process on stdin/stdout and every pack
  it launches on a Unix socket in a private directory (`pack_environment()`).
* Anything else (a pack under the real Pulumi CLI, `medinfra gate`, a test) starts its own
  child worker at first use, or earlier through `prewarm()`.

A worker that failed is never asked again: the next `default_client()` starts a new one. Every
worker this process started is stopped when it exits (atexit).
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from medinfra.policies.checkov_bridge import protocol
from medinfra.policies.checkov_bridge.client import WorkerClient
from medinfra.policies.checkov_bridge.runner import CheckovError

_LOCK = threading.RLock()
_current: WorkerClient | None = None
_share = False
_started: list[WorkerClient] = []


def default_client() -> WorkerClient:
    """This process's worker client, started (without waiting) if there is none or it failed."""
    global _current
    with _LOCK:
        if _current is None or not _current.alive():
            socket_path = os.environ.get(protocol.SOCKET_ENV)
            if socket_path:
                _current = WorkerClient(socket_path=socket_path)
            else:
                _current = WorkerClient(serve_socket=_share)
            _started.append(_current)
            _current.start()
        return _current


def prewarm() -> None:
    """Start the worker now (it imports Checkov while the caller does something else)."""
    default_client()


@contextmanager
def shared_worker() -> Iterator[WorkerClient]:
    """One worker for this process and every pack it launches, stopped at the end."""
    global _share, _current
    with _LOCK:
        _share = True
        if _current is not None and not _current.serve_socket:
            _current.close()
            _current = None
        client = default_client()
    try:
        yield client
    finally:
        with _LOCK:
            _share = False
            if _current is not None:
                _current.close()
                _current = None


def pack_environment() -> dict[str, str]:
    """What a pack launched now needs to reach this process's shared worker: its socket, once
    the worker answers (a worker found dead is replaced first). Empty without a shared worker,
    or if none answers (the pack then starts its own, and fails closed on its own)."""
    if not _share or os.environ.get(protocol.SOCKET_ENV):
        return {}
    for _attempt in range(2):
        client = default_client()
        try:
            client.ping()
        except CheckovError:
            continue
        if client.socket_path:
            return {protocol.SOCKET_ENV: client.socket_path}
    return {}


def _stop_all() -> None:
    for client in _started:
        try:
            client.close()
        except Exception:  # noqa: BLE001 - exiting anyway
            pass


atexit.register(_stop_all)
