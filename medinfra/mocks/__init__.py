"""Deterministic stand-ins for what cloud providers compute, so a program can be planned offline.

Every identifier is derived from the resource's URN: the same program and config always give the
same ids and ARNs, and a value that flows from one resource into another can be traced back to
its origin (see `policies.inventory.resolve_references`). Outputs the provider would compute and
we do not model stay unknown, exactly as in a real `pulumi preview` of new resources.

One module per cloud, each of the same shape: `PACKAGE` (the provider's package name),
`new_resource(cloud, type_, name, inputs, h) -> (id, computed outputs)` and
`invokes(cloud) -> {data-source token: answer(args)}`. `OfflineCloud` dispatches to them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping

from medinfra.mocks import aws, aws_native, azure, gcp
from medinfra.mocks.aws import ACCOUNT_ID
from medinfra.mocks.azure import SUBSCRIPTION_ID, TENANT_ID
from medinfra.mocks.gcp import GCP_PROJECT

__all__ = [
    "ACCOUNT_ID",
    "GCP_PROJECT",
    "SUBSCRIPTION_ID",
    "TENANT_ID",
    "OfflineCloud",
    "UnansweredInvoke",
]

_CLOUDS = (aws, aws_native, gcp, azure)



class UnansweredInvoke(Exception):
    """A data source the offline planner has no deterministic answer for."""


def _is_secret(value) -> bool:
    """A secret as the SDK's wire form holds it (imported here: the worker has the SDK loaded,
    and the CLI, which imports this package for its modes, never calls this)."""
    from pulumi.runtime import rpc

    return isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig


def _public(value):
    """`value` without its secret parts (secret wire values dropped, at any depth)."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not _is_secret(v)}
    if isinstance(value, list):
        return [_public(v) for v in value if not _is_secret(v)]
    return value


def _digest(urn: str) -> str:
    return hashlib.sha256(urn.encode()).hexdigest()


def _kubernetes(cloud, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
    metadata = dict(inputs.get("metadata") or {})
    metadata.setdefault("name", f"{name}-{h[:8]}")
    namespace = metadata.get("namespace", "default")
    return f"{namespace}/{metadata['name']}", {"metadata": metadata}


def _generic(cloud, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
    return f"{name}-{h[:8]}", {}


_MAKERS = {cloud.PACKAGE: cloud.new_resource for cloud in _CLOUDS} | {"kubernetes": _kubernetes}


class OfflineCloud:
    """Generates ids/outputs for new resources and answers the common data sources."""

    def __init__(self, config: Mapping[str, str], answers: Mapping[str, dict] | None = None):
        #: Data-source answers the user supplied (--data-sources), by token; they win.
        self.answers = dict(answers or {})
        self.aws_region = config.get("aws:region", "us-east-1")
        self.gcp_project = config.get("gcp:project", GCP_PROJECT)
        self.gcp_region = config.get("gcp:region", "us-central1")
        self.azure_location = config.get("azure-native:location", "eastus")

    def new_resource(self, type_: str, name: str, inputs: dict, urn: str) -> tuple[str, dict, set]:
        """Return (id, outputs, generated identifier values) for a resource being created."""
        h = _digest(urn)
        package = type_.split(":", 1)[0]
        if type_.startswith("pulumi:providers:"):
            pid = str(uuid.UUID(h[:32]))
            return pid, dict(inputs), {pid}
        # Identifiers are made from what is public: a secret name must never reach an id or ARN
        # (it would be printed and stored); such a resource gets its URN-derived name instead.
        rid, extra = _MAKERS.get(package, _generic)(self, type_, name, _public(inputs), h)
        outputs = {**inputs, **extra}
        generated = {rid} | {v for v in extra.values() if isinstance(v, str)}
        return rid, outputs, generated

    def invoke(self, token: str, args: dict) -> dict:
        """Answer a data source call: the user's answer or a value the cloud fixes by
        convention; else raise UnansweredInvoke naming it."""
        if token in self.answers:
            return dict(self.answers[token])
        answers = self._invokes()
        answer: Callable[[dict], dict] | None = answers.get(token)
        if answer is None:
            raise UnansweredInvoke(
                f"the data source {token!r} cannot be answered offline; give its answer with "
                "--data-sources FILE. medinfra preview answers: " + ", ".join(sorted(answers))
            )
        return answer(args)

    def answerable(self, token: str) -> bool:
        """Whether `invoke` has an answer for this data source."""
        return token in self.answers or token in self._invokes()

    def _invokes(self) -> dict[str, Callable[[dict], dict]]:
        return {token: answer for cloud in _CLOUDS for token, answer in cloud.invokes(self).items()}
