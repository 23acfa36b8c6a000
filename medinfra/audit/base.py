"""What every cloud reader of a live audit provides, whatever the cloud.

A reader turns the deployed stack into an Inventory of exactly the planned shape (same Pulumi
types, same camelCase input property names, the planned URN for every resource it matched) so
that the gate judges it with the same rules and the drift comparison is property by property.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

EXIT_CLEAN, EXIT_VIOLATION, EXIT_INPUT, EXIT_INCOMPLETE, EXIT_DRIFT = 0, 1, 2, 3, 4


class AuditError(Exception):
    """The live read could not complete (credentials, access denied, throttling after retries,
    an endpoint that does not answer). `call` names the API call, e.g. `s3.GetBucketVersioning`.
    The audit fails closed on it: exit 3, never a partial verdict."""

    def __init__(self, call: str, reason: str):
        super().__init__(f"{call}: {reason}")
        self.call = call
        self.reason = reason


class WriteRefused(AuditError):
    """A reader tried an operation that is not a read; the audit never writes."""


@dataclass
class Carried:
    """A planned property the cloud's API cannot report (create-time or Pulumi-only settings,
    or a field the API left out). Its planned value is carried into the live Inventory so the
    rules see the resource whole, and every report lists it as not verified."""

    urn: str
    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"urn": self.urn, "path": self.path, "reason": self.reason}


@dataclass
class LiveRead:
    """What a reader found: the live Inventory, what it could not verify, and the planned
    resource types it does not read (never counted as drift, always reported)."""

    inventory: dict[str, Any]
    carried: list[Carried] = field(default_factory=list)
    unaudited_types: dict[str, int] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    account: str | None = None


class Reader(Protocol):
    """One per cloud (`medinfra.audit.aws.AwsReader` today; Azure and GCP follow)."""

    audited_types: frozenset[str]

    def read(self, planned: dict[str, Any]) -> LiveRead:
        """Read the deployed resources of the planned stack; raise AuditError if it cannot."""
        ...
