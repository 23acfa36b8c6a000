"""Rego engines behind one interface: embedded regorus (default) and an OPA server.

Same bundle, same input, same findings either way. Each engine returns, per rule id, the raw
`deny` set the rule produced ({"urn": ..., "message": ...} objects), for every rule it was given:
the gate counts an evaluation only when every rule answered (`check_answer`).

One rule for every engine: an answer that is missing, empty, null, malformed or late is not an
answer. It raises EngineError / EngineTimeout, which the gate turns into a MED-GATE finding.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import jsonschema
from medinfra.policies.rules import Rule, library_sources


class EngineError(Exception):
    """The engine could not evaluate the rules (the gate blocks: fail closed)."""


class EngineTimeout(EngineError):
    """Evaluation took longer than allowed."""


class RegoEngine(Protocol):
    name: str

    def evaluate(
        self, rules: list[Rule], input_json: str, timeout_s: float
    ) -> dict[str, list[dict[str, Any]]]: ...


#: What the bundle promises for each rule: `deny` is a set of findings on URNs.
DENY_SET_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["urn"],
        "properties": {
            "urn": {"type": "string"},
            "message": {"type": "string"},
            # An unknown judged on where it comes from (policies/rego/lib/unknowns.rego).
            "provenance": {"type": ["object", "null"]},
        },
    },
}
#: An OPA REST answer to `POST /v1/data/<rule package>/deny`: a defined result, the deny set.
OPA_ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["result"],
    "properties": {"result": DENY_SET_SCHEMA},
}
_DENY_SET = jsonschema.Draft202012Validator(DENY_SET_SCHEMA)
_OPA_ANSWER = jsonschema.Draft202012Validator(OPA_ANSWER_SCHEMA)


def _first_error(validator: jsonschema.Draft202012Validator, value: Any) -> str | None:
    error = next(iter(validator.iter_errors(value)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"{where}: {error.message[:160]}"


def check_answer(
    engine: str, rules: list[Rule], raw: Any
) -> dict[str, list[dict[str, Any]]]:
    """The deny sets an engine returned, if they are one well-formed set per rule; else
    EngineError naming what is missing or malformed. The engine has evaluated N rules only
    when this returns."""
    if not isinstance(raw, dict):
        shown = "null" if raw is None else type(raw).__name__
        raise EngineError(f"{engine} answered {shown} instead of one deny set per rule")
    wanted = {rule.id for rule in rules}
    missing = sorted(wanted - set(raw))
    if missing:
        raise EngineError(
            f"{engine} evaluated {len(wanted) - len(missing)} of {len(wanted)} rules; "
            f"no answer for {', '.join(missing[:5])}"
        )
    for rule in rules:
        problem = _first_error(_DENY_SET, raw[rule.id])
        if problem:
            raise EngineError(f"{engine} answered malformed deny set for {rule.id}: {problem}")
    return {rule.id: raw[rule.id] for rule in rules}


def redact_url(url: str) -> str:
    """`url` safe to print or store: user info and query values replaced by `***`."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparseable URL, not shown>"
    if not parts.scheme or not parts.netloc:
        return "<not an http(s)://host URL, not shown>"
    if ":" in host:
        host = f"[{host}]"
    netloc = ("***@" if "@" in parts.netloc else "") + host + port
    query = "&".join(p.split("=", 1)[0] + "=***" for p in parts.query.split("&") if p)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _clean(message: str) -> str:
    """Engine error text without a Rust backtrace."""
    return message.split("\n\nStack backtrace:")[0].strip()


def _bounded(work: Callable[[float], Any], timeout_s: float, late: str, name: str) -> Any:
    """Run `work(deadline)` in a daemon thread; give up at the deadline (the thread is
    abandoned, its answer discarded): a late answer is no answer."""
    deadline = time.monotonic() + timeout_s
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work(deadline)
        except EngineError as exc:
            outcome["error"] = exc
        except BaseException as exc:  # noqa: BLE001 - pyo3 panics are BaseException
            outcome["error"] = EngineError(f"{type(exc).__name__}: {_clean(str(exc))[:300]}")

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    thread.join(max(0.0, timeout_s))
    if thread.is_alive() or time.monotonic() > deadline + 0.05:
        raise EngineTimeout(late)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


#: The package of the one rule the embedded engine evaluates: every rule's deny set at once.
_ALL_PACKAGE = "medinfra.gate_all"


def _all_denies(rules: list[Rule]) -> str:
    """A module mapping rule id -> deny set. Evaluating it once shares the per-input indexes
    (data.medinfra.lib.by_type, ...) between rules instead of rebuilding them per rule."""
    entries = ",\n".join(f"\t{json.dumps(rule.id)}: {rule.deny_path}" for rule in rules)
    return f"package {_ALL_PACKAGE}\n\nimport rego.v1\n\ndenies := {{\n{entries},\n}}\n"


class EmbeddedEngine:
    """In-process regorus. The regorus binding is thread-affine, so one engine is created,
    used and dropped inside one worker thread per evaluation (which also makes the timeout
    enforceable). Parsing is ~0.2 ms per rule, so nothing is cached across calls."""

    name = "embedded"

    def evaluate(
        self, rules: list[Rule], input_json: str, timeout_s: float
    ) -> dict[str, list[dict[str, Any]]]:
        def work(_deadline: float) -> Any:
            engine = None
            try:
                import regorus  # the one place the build is chosen: see pyproject.toml

                engine = regorus.Engine()
                for name, text in library_sources().items():
                    engine.add_policy(f"lib/{name}", text)
                for rule in rules:
                    engine.add_policy(f"{rule.name}/{rule.path.name}", rule.source)
                engine.add_policy("gate_all.rego", _all_denies(rules))
                engine.set_input_json(input_json)
                found = engine.eval_rule_as_json(f"data.{_ALL_PACKAGE}.denies")
                return json.loads(found)
            except BaseException as exc:  # noqa: BLE001 - pyo3 panics are BaseException
                # Only text leaves this thread: a traceback would keep the engine alive and
                # drop it on another thread, which the binding turns into a panic.
                raise EngineError(
                    f"embedded Rego engine: {type(exc).__name__}: {_clean(str(exc))}"
                ) from None
            finally:
                del engine

        found = _bounded(
            work, timeout_s, f"Rego evaluation exceeded {timeout_s:.1f}s (timeout)", "medinfra-rego"
        )
        return check_answer("the embedded Rego engine", rules, found)


class OpaServerEngine:
    """An OPA server (opa-python-client): pushes the bundle, queries each rule's deny set.

    Every answer is validated against OPA_ANSWER_SCHEMA; the whole exchange (every upload and
    query) shares one deadline. Messages say what happened: timeout, connection refused, HTTP
    status, or a body that is not the promised shape. The URL is never shown with credentials.
    """

    name = "opa"

    def __init__(self, url: str):
        self.shown = redact_url(url)
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise EngineError(f"OPA_URL {self.shown}: not a valid URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EngineError(f"OPA_URL {self.shown}: expected http(s)://host[:port]")
        self.host = parts.hostname
        self.port = port or (443 if parts.scheme == "https" else 80)
        self.ssl = parts.scheme == "https"

    def _exchange(self, rules: list[Rule], input_json: str, deadline: float) -> dict[str, Any]:
        import requests
        from opa_client import OpaClient
        from opa_client.errors import ConnectionsError, RegoParseError

        def left() -> float:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise requests.exceptions.Timeout()
            return remaining

        try:
            with OpaClient(
                host=self.host, port=self.port, ssl=self.ssl, retries=0, timeout=left()
            ) as client:
                uploads = [(f"medinfra/lib/{n}", t) for n, t in library_sources().items()]
                uploads += [(f"medinfra/rules/{r.name}", r.source) for r in rules]
                for endpoint, text in uploads:
                    client.timeout = left()
                    client.update_policy_from_string(text, endpoint, rego_compat=False)
                payload = json.loads(input_json)
                results: dict[str, Any] = {}
                for rule in rules:
                    client.timeout = left()
                    answer = client.query_rule(payload, rule.package, "deny")
                    problem = _first_error(_OPA_ANSWER, answer)
                    if problem:
                        shown = json.dumps(answer)[:80] if answer is not None else "null"
                        raise EngineError(
                            f"OPA server {self.shown} gave no valid answer for {rule.id} "
                            f"(bad body {shown}: {problem})"
                        )
                    results[rule.id] = answer["result"]
                return results
        except requests.exceptions.Timeout:
            raise EngineTimeout(
                f"OPA server {self.shown} did not answer in time (timeout)"
            ) from None
        except requests.exceptions.JSONDecodeError:
            raise EngineError(
                f"OPA server {self.shown} answered a body that is not JSON (bad body)"
            ) from None
        except requests.exceptions.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise EngineError(f"OPA server {self.shown} answered HTTP {status}") from None
        except requests.exceptions.ConnectionError as exc:
            text = str(exc).lower()
            if "timed out" in text:  # urllib3 wraps a read timeout when retries are off
                raise EngineTimeout(
                    f"OPA server {self.shown} did not answer in time (timeout)"
                ) from None
            what = "connection refused" if "refused" in text else "connection failed"
            raise EngineError(f"OPA server {self.shown} unreachable ({what})") from None
        except (requests.exceptions.RequestException, ConnectionsError) as exc:
            raise EngineError(
                f"OPA server {self.shown} unreachable ({type(exc).__name__})"
            ) from None
        except RegoParseError as exc:
            raise EngineError(
                f"OPA server {self.shown} rejected a rule: {str(exc.message)[:200]}"
            ) from None
        except EngineError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise EngineError(
                f"OPA server {self.shown} answered unexpectedly (bad body: {type(exc).__name__})"
            ) from None

    def evaluate(
        self, rules: list[Rule], input_json: str, timeout_s: float
    ) -> dict[str, list[dict[str, Any]]]:
        found = _bounded(
            lambda deadline: self._exchange(rules, input_json, deadline),
            timeout_s,
            f"OPA server {self.shown} did not answer within {timeout_s:.1f}s (timeout)",
            "medinfra-opa",
        )
        return check_answer(f"OPA server {self.shown}", rules, found)


def engine_from_environment(opa_url: str | None = None) -> RegoEngine:
    """OPA server when OPA_URL (or `opa_url`) is set, else the embedded engine."""
    url = opa_url or os.environ.get("OPA_URL")
    return OpaServerEngine(url) if url else EmbeddedEngine()
