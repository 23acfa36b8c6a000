"""One moto server per test session on 127.0.0.1 (a free port), the aws-dev plan deployed into
it once, and helpers to audit it in-process or through the real command."""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from medinfra.audit import AuditResult, audit
from medinfra.audit.aws import AwsReader
from medinfra.audit.aws_client import AwsClients
from tests.audit.deploy import Deployer
from tests.conftest import ENV_BEFORE_SESSION_FIXTURES

REGION = "us-east-1"
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    # Never look for credentials anywhere but the environment (no instance metadata calls).
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    # Lets moto attach AWS-managed policies (AmazonEKSClusterPolicy, ...).
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
}


@pytest.fixture(scope="session")
def moto_url():
    """A real moto server for the whole session, stopped at the end."""
    from moto.server import ThreadedMotoServer

    saved = {k: os.environ.get(k) for k in FAKE_ENV}
    for key, value in saved.items():  # `medinfra` commands of other tests must not see these
        ENV_BEFORE_SESSION_FIXTURES.setdefault(key, value)
    os.environ.update(FAKE_ENV)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        _assert_closed(port)
        for key, value in saved.items():
            ENV_BEFORE_SESSION_FIXTURES.pop(key, None)
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _assert_closed(port: int) -> None:
    """Nothing is left listening once the session is over."""
    with socket.socket() as probe:
        probe.settimeout(2)
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise AssertionError(f"the moto server still listens on 127.0.0.1:{port}")


@dataclass
class Deployed:
    """The aws-dev plan deployed into moto: its planned Inventory, the emulator's URL, and a
    boto3 factory for hand changes (a plain session: not the audit's read-only one)."""

    planned: dict
    url: str
    live: dict

    def client(self, service: str):
        return boto3.Session().client(service, endpoint_url=self.url, region_name=REGION)


@pytest.fixture(scope="session")
def deployed(dev, moto_url) -> Deployed:
    live = Deployer(boto3.Session(), moto_url, REGION).deploy(dev.document)
    return Deployed(dev.document, moto_url, live)


def run_audit(planned: dict, url: str, max_attempts: int = 2) -> AuditResult:
    """The audit exactly as `medinfra audit` runs it, in-process (Checkov loads once)."""
    return audit(planned, AwsReader(AwsClients(REGION, url, max_attempts)))


@pytest.fixture(scope="session")
def plan_file(deployed, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "aws-dev.json"
    path.write_text(json.dumps(deployed.planned))
    return path


@pytest.fixture(scope="session")
def aws_env():
    """Environment for a `medinfra` subprocess talking to the emulator."""
    return {**os.environ, **FAKE_ENV}
