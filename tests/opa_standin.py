"""A tiny OPA REST API stand-in backed by regorus (no `opa` binary needed).

Implements the subset of the OPA v1 REST API that opa-python-client uses:

    GET    /health                     -> 200 {}
    GET    /v1/policies                -> 200 {"result": [{"id", "raw"}...]}
    GET    /v1/policies/<id>           -> 200 {"result": {"id", "raw"}} | 404
    PUT    /v1/policies/<id>  (text)   -> 200 {} | 400 {"code": "invalid_parameter", ...}
    DELETE /v1/policies/<id>           -> 200 {} | 404
    PUT    /v1/data/<path>    (json)   -> 204
    DELETE /v1/data/<path>             -> 204 | 404
    GET    /v1/data/<path>             -> 200 {"result": value} | 200 {} when undefined
    POST   /v1/data/<path>  {"input"}  -> 200 {"result": value} | 200 {} when undefined
    POST   /v1/query {"query","input"} -> 200 {"result": [bindings...]}

Only binds to 127.0.0.1. Usage:
    with serve() as (url, port): ...            # ephemeral port, background thread
    with serve(fault="null") as (url, port): ...  # a server that misbehaves (FAULTS)
    python opa_standin.py [--port N] [--fault F]  # prints the port, serves until Ctrl-C

Faults (on every `POST /v1/data/...` query; policy uploads still succeed, so the client gets as
far as asking): "slow" answers correctly after `delay` seconds, "empty" answers `{}` (undefined),
"null" answers `{"result": null}`, "500" answers HTTP 500 with OPA's error body, "garbage"
answers a body that is not JSON, "hang" never answers, "wrong" answers a well-formed JSON
document of the wrong shape.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import regorus

FAULTS = ("slow", "empty", "null", "500", "garbage", "hang", "wrong")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOC = re.compile(r"-->\s*(?P<file>.*?):(?P<row>\d+):(?P<col>\d+)")


def _clean(msg: str) -> str:
    return msg.split("\n\nStack backtrace:")[0].strip()  # RUST_BACKTRACE=1 appends a backtrace


def _rego_error(policy_id: str, exc: Exception, code: str = "rego_parse_error") -> dict:
    text = _clean(str(exc))
    m = _LOC.search(text)
    last = [ln for ln in text.splitlines() if ln.startswith("error:")]
    err = {"code": code, "message": last[-1][len("error: ") :] if last else text, "detail": text}
    if m:
        err["location"] = {"file": policy_id, "row": int(m["row"]), "col": int(m["col"])}
    return err


def _data_ref(segments: list[str]) -> str:
    ref = "data"
    for s in segments:
        ref += f".{s}" if _IDENT.match(s) else f"[{json.dumps(s)}]"
    return ref


class PolicyStore:
    """Policies (raw text) + base data document.

    regorus.Engine is a pyo3 `unsendable` class: it must be created, used AND dropped on one
    thread (else PanicException, a BaseException). The HTTP server is threaded, so no engine is
    ever stored here; each request builds its own (parsing is sub-millisecond for small packs).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.policies: dict[str, str] = {}
        self.data: dict[str, Any] = {}

    @staticmethod
    def _build(policies: dict[str, str], data_json: str) -> regorus.Engine:
        engine = regorus.Engine()  # Rego v1 (OPA 1.x default)
        for pid, raw in policies.items():
            try:
                engine.add_policy(pid, raw)
            except RuntimeError as exc:
                raise ValueError(_rego_error(pid, exc)) from None
        engine.add_data_json(data_json)  # JSON text: dict conversion would turn bools into numbers
        return engine

    def _snapshot(self) -> tuple[dict[str, str], str]:
        with self._lock:
            return dict(self.policies), json.dumps(self.data)

    def put_policy(self, pid: str, raw: str) -> None:
        policies, data_json = self._snapshot()
        policies[pid] = raw
        self._build(policies, data_json)  # validate: raises ValueError(error-dict) on parse errors
        with self._lock:
            self.policies[pid] = raw

    def delete_policy(self, pid: str) -> bool:
        with self._lock:
            return self.policies.pop(pid, None) is not None

    def put_data(self, segments: list[str], value: Any) -> None:
        with self._lock:
            if not segments:
                self.data = value if isinstance(value, dict) else {}
                return
            node = self.data
            for s in segments[:-1]:
                child = node.get(s)
                if not isinstance(child, dict):
                    child = node[s] = {}
                node = child
            node[segments[-1]] = value

    def delete_data(self, segments: list[str]) -> bool:
        with self._lock:
            node: Any = self.data
            for s in segments[:-1]:
                node = node.get(s) if isinstance(node, dict) else None
            if not segments or not isinstance(node, dict) or segments[-1] not in node:
                return False
            del node[segments[-1]]
            return True

    def query(self, query: str, input_json: str | None) -> list[dict]:
        engine = self._build(*self._snapshot())
        if input_json is not None:
            engine.set_input_json(input_json)
        return json.loads(engine.eval_query_as_json(query)).get("result", [])

    def eval_data(self, segments: list[str], input_json: str | None) -> tuple[bool, Any]:
        rows = self.query(_data_ref(segments), input_json)
        if not rows:
            return False, None
        return True, rows[0]["expressions"][0]["value"]


class Handler(BaseHTTPRequestHandler):
    server_version = "opa-standin/0.1"
    store: PolicyStore  # set on the subclass made by make_server()
    fault: str | None = None
    delay: float = 1.5
    stopping: threading.Event  # set when the server shuts down: a hung handler lets go

    def _misbehave(self) -> bool:
        """Apply the configured fault to a query; True when the answer has been sent."""
        if self.fault == "slow":
            time.sleep(self.delay)
            return False
        if self.fault == "hang":
            self.stopping.wait()
            return True
        if self.fault == "empty":
            self._send(200, {})
        elif self.fault == "null":
            self._send(200, {"result": None})
        elif self.fault == "wrong":
            self._send(200, {"result": {"deny": "yes"}})
        elif self.fault == "500":
            self._error(500, "internal_error", "simulated server failure")
        elif self.fault == "garbage":
            payload = b"<html>502 Bad Gateway</html>"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        else:
            return False
        return True

    def log_message(self, fmt: str, *args: Any) -> None:  # keep test output quiet
        pass

    # -- helpers --------------------------------------------------------------
    def _send(self, status: int, body: Any = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status: int, code: str, message: str, errors: list | None = None) -> None:
        body = {"code": code, "message": message}
        if errors:
            body["errors"] = errors
        self._send(status, body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _route(self) -> tuple[str, list[str]]:
        path = self.path.split("?", 1)[0].rstrip("/")
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["v1", "policies"]:
            return "policies", ["/".join(parts[2:])] if parts[2:] else []
        if parts[:2] == ["v1", "data"]:
            return "data", parts[2:]
        return "/".join(parts), []

    def _input_json(self, raw: bytes) -> str | None:
        if not raw.strip():
            return None
        doc = json.loads(raw)
        return json.dumps(doc["input"]) if isinstance(doc, dict) and "input" in doc else None

    # -- verbs ----------------------------------------------------------------
    def do_GET(self) -> None:
        kind, rest = self._route()
        if kind == "health":
            return self._send(200, {})
        if kind == "policies":
            pols = self.store.policies
            if not rest:
                return self._send(200, {"result": [{"id": k, "raw": v} for k, v in pols.items()]})
            if rest[0] not in pols:
                return self._error(
                    404, "resource_not_found", f'storage_not_found_error: policy id "{rest[0]}"'
                )
            return self._send(200, {"result": {"id": rest[0], "raw": pols[rest[0]]}})
        if kind == "data":
            return self._eval(rest, None)
        self._error(404, "resource_not_found", f"no route for GET {self.path}")

    def do_POST(self) -> None:
        kind, rest = self._route()
        try:
            raw = self._body()
            if kind == "data" and self._misbehave():
                return None
            if kind == "data":
                return self._eval(rest, self._input_json(raw))
            if kind == "v1/query":
                doc = json.loads(raw or b"{}")
                inp = json.dumps(doc["input"]) if "input" in doc else None
                rows = self.store.query(doc["query"], inp)
                return self._send(200, {"result": [r.get("bindings", {}) for r in rows]})
        except json.JSONDecodeError as exc:
            return self._error(
                400, "invalid_parameter", f"body contains malformed input document: {exc}"
            )
        except (RuntimeError, KeyError) as exc:
            return self._error(
                400,
                "invalid_parameter",
                "error(s) occurred while evaluating query",
                [_rego_error("query", exc, "rego_eval_error")],
            )
        self._error(404, "resource_not_found", f"no route for POST {self.path}")

    def do_PUT(self) -> None:
        kind, rest = self._route()
        raw = self._body()
        if kind == "policies" and rest:
            try:
                self.store.put_policy(rest[0], raw.decode())
            except ValueError as exc:
                return self._error(
                    400,
                    "invalid_parameter",
                    "error(s) occurred while compiling module(s)",
                    [exc.args[0]],
                )
            return self._send(200, {})
        if kind == "data":
            try:
                self.store.put_data(rest, json.loads(raw or b"{}"))
            except json.JSONDecodeError as exc:
                return self._error(400, "invalid_parameter", f"malformed JSON: {exc}")
            return self._send(204)
        self._error(404, "resource_not_found", f"no route for PUT {self.path}")

    def do_DELETE(self) -> None:
        kind, rest = self._route()
        if kind == "policies" and rest:
            if self.store.delete_policy(rest[0]):
                return self._send(200, {})
            return self._error(
                404, "resource_not_found", f'storage_not_found_error: policy id "{rest[0]}"'
            )
        if kind == "data":
            if self.store.delete_data(rest):
                return self._send(204)
            return self._error(
                404, "resource_not_found", f"storage_not_found_error: {'/'.join(rest)}"
            )
        self._error(404, "resource_not_found", f"no route for DELETE {self.path}")

    def _eval(self, segments: list[str], input_json: str | None) -> None:
        try:
            defined, value = self.store.eval_data(segments, input_json)
        except ValueError as exc:  # stored policies failed to compile (should not happen)
            return self._error(
                500, "internal_error", "error(s) occurred while compiling module(s)", [exc.args[0]]
            )
        except RuntimeError as exc:  # evaluation error (conflict, unknown builtin, ...)
            return self._error(
                500,
                "internal_error",
                "error(s) occurred while evaluating query",
                [_rego_error("data", exc, "eval_error")],
            )
        self._send(200, {"result": value} if defined else {})


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the gate's deadline) is expected, not news


def make_server(
    port: int = 0, fault: str | None = None, delay: float = 1.5
) -> ThreadingHTTPServer:
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
    attrs = {"store": PolicyStore(), "fault": fault, "delay": delay, "stopping": threading.Event()}
    handler = type("BoundHandler", (Handler,), attrs)
    server = _Server(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


@contextlib.contextmanager
def serve(
    port: int = 0, fault: str | None = None, delay: float = 1.5
) -> Iterator[tuple[str, int]]:
    server = make_server(port, fault, delay)
    thread = threading.Thread(target=server.serve_forever, name="opa-standin", daemon=True)
    thread.start()
    try:
        bound = server.server_address[1]
        yield f"http://127.0.0.1:{bound}", bound
    finally:
        server.RequestHandlerClass.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0, help="0 = ephemeral")
    ap.add_argument("--fault", choices=FAULTS, default=None, help="misbehave this way")
    ap.add_argument("--delay", type=float, default=1.5, help="seconds per query when slow")
    args = ap.parse_args()
    server = make_server(args.port, args.fault, args.delay)

    def _stop(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)  # even if SIGINT was inherited as SIG_IGN (background job)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
