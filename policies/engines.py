"""Rego engines behind one interface: embedded regorus (default) and an OPA server.

Same bundle, same input, same findings either way. Each engine returns, per rule id, the raw
`deny` set the rule produced ({"urn": ..., "message": ...} objects).
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, Protocol
from urllib.parse import urlsplit

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


def _clean(message: str) -> str:
    """Engine error text without a Rust backtrace."""
    return message.split("\n\nStack backtrace:")[0].strip()


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
        outcome: dict[str, Any] = {}

        def work() -> None:
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
                outcome["result"] = json.loads(found)
            except BaseException as exc:  # noqa: BLE001 - pyo3 panics are BaseException
                # Only text leaves this thread: a traceback would keep the engine alive and
                # drop it on another thread, which the binding turns into a panic.
                outcome["error"] = f"{type(exc).__name__}: {_clean(str(exc))}"
            finally:
                del engine

        thread = threading.Thread(target=work, name="medinfra-rego", daemon=True)
        thread.start()
        thread.join(timeout_s)
        if thread.is_alive():
            raise EngineTimeout(f"Rego evaluation exceeded {timeout_s:g}s")
        if "error" in outcome:
            raise EngineError(f"embedded Rego engine: {outcome['error']}")
        return outcome["result"]


class OpaServerEngine:
    """An OPA server (opa-python-client): pushes the bundle, queries each rule's deny set."""

    name = "opa"

    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EngineError(f"OPA_URL {url!r}: expected http(s)://host[:port]")
        self.url = url
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl = parts.scheme == "https"

    def evaluate(
        self, rules: list[Rule], input_json: str, timeout_s: float
    ) -> dict[str, list[dict[str, Any]]]:
        import requests
        from opa_client import OpaClient
        from opa_client.errors import ConnectionsError, RegoParseError

        try:
            with OpaClient(
                host=self.host, port=self.port, ssl=self.ssl, retries=1, timeout=timeout_s
            ) as client:
                for name, text in library_sources().items():
                    client.update_policy_from_string(
                        text, f"medinfra/lib/{name}", rego_compat=False
                    )
                for rule in rules:
                    client.update_policy_from_string(
                        rule.source, f"medinfra/rules/{rule.name}", rego_compat=False
                    )
                payload = json.loads(input_json)
                results = {}
                for rule in rules:
                    answer = client.query_rule(payload, rule.package, "deny")
                    results[rule.id] = answer.get("result", [])
                return results
        except requests.exceptions.Timeout:
            raise EngineTimeout(
                f"OPA server {self.url} did not answer within {timeout_s:g}s"
            ) from None
        except (requests.exceptions.RequestException, ConnectionsError) as exc:
            raise EngineError(f"OPA server {self.url} unreachable: {type(exc).__name__}") from None
        except RegoParseError as exc:
            raise EngineError(f"OPA server {self.url} rejected a rule: {exc.message}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise EngineError(f"OPA server {self.url} answered unexpectedly: {exc}") from None


def engine_from_environment(opa_url: str | None = None) -> RegoEngine:
    """OPA server when OPA_URL (or `opa_url`) is set, else the embedded engine."""
    url = opa_url or os.environ.get("OPA_URL")
    return OpaServerEngine(url) if url else EmbeddedEngine()
