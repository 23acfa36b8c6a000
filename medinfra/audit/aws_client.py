"""boto3 access for the live AWS audit and preflight: read-only, retried, failing closed.

Every client comes from one boto3 session whose event hook refuses any operation that is not a
read (`Describe*`, `Get*`, `List*`, `Head*`, `BatchGet*`) before it is signed or sent. Throttling
and 5xx answers are retried with botocore's standard mode (exponential backoff with jitter);
what still fails becomes an `AuditError` naming the API call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from medinfra.audit.base import AuditError, WriteRefused

READ_PREFIXES = ("Describe", "Get", "List", "Head", "BatchGet")

NO_CREDENTIALS = (
    "no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
    "(read-only access is enough)"
)


def is_read(operation: str) -> bool:
    """Whether an AWS API operation only reads (the audit's allow-list, by name)."""
    return operation.startswith(READ_PREFIXES)


class AwsClients:
    """Clients of one read-only session, and a `call` that turns failures into AuditError."""

    def __init__(
        self,
        region: str,
        endpoint_url: str | None = None,
        max_attempts: int = 5,
        session: boto3.Session | None = None,
    ):
        self.region = region
        self.endpoint_url = endpoint_url
        self.session = session or boto3.Session(region_name=region)
        self.calls: list[str] = []
        # Registered before any client exists, so every client of this session inherits it.
        self.session.events.register("before-call", self._refuse_writes)
        self._config = Config(
            region_name=region,
            retries={"total_max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=10,
            read_timeout=30,
        )
        self._clients: dict[str, Any] = {}

    def _refuse_writes(self, model, **_: Any) -> None:
        name = f"{model.service_model.service_name}.{model.name}"
        self.calls.append(name)
        if not is_read(model.name):
            raise WriteRefused(name, "refused: the audit and preflight only read")

    def client(self, service: str):
        if service not in self._clients:
            try:
                self._clients[service] = self.session.client(
                    service, endpoint_url=self.endpoint_url, config=self._config
                )
            except NoRegionError:
                raise AuditError(f"{service}", "no AWS region; pass --region") from None
        return self._clients[service]

    def _name(self, service: str, method: str) -> str:
        operation = self.client(service).meta.method_to_api_mapping.get(method, method)
        return f"{service}.{operation}"

    def _fail(self, name: str, exc: Exception) -> AuditError:
        if isinstance(exc, WriteRefused):
            return exc
        if isinstance(exc, NoCredentialsError | PartialCredentialsError):
            return AuditError(name, NO_CREDENTIALS)
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            retries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
            tail = f" (after {retries + 1} attempts)" if retries else ""
            # One line, however much (HTML, say) an endpoint put in the message.
            message = " ".join(str(error.get("Message", "")).split())
            message = message if len(message) <= 200 else message[:197] + "..."
            return AuditError(name, f"{error.get('Code', '?')}: {message}{tail}")
        return AuditError(name, str(exc) or type(exc).__name__)

    def call(self, service: str, method: str, missing: tuple[str, ...] = (), **params: Any):
        """One API call; None when the error code is one of `missing` (the thing is absent)."""
        name = self._name(service, method)
        try:
            return getattr(self.client(service), method)(**params)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in missing:
                return None
            raise self._fail(name, exc) from None
        except (BotoCoreError, WriteRefused) as exc:
            raise self._fail(name, exc) from None

    def pages(self, service: str, method: str, key: str, **params: Any) -> Iterator[Any]:
        """Every item under `key` across a paginated listing."""
        name = self._name(service, method)
        try:
            for page in self.client(service).get_paginator(method).paginate(**params):
                yield from page.get(key, [])
        except (ClientError, BotoCoreError, WriteRefused) as exc:
            raise self._fail(name, exc) from None
