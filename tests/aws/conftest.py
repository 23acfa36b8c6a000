"""AWS fixtures: in-process recording mocks (the reference inventories are in tests/conftest)."""

from __future__ import annotations

import pulumi
import pytest

from medinfra.mocks import OfflineCloud


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every resource; deterministic outputs; a data source we do not answer raises."""

    def __init__(self):
        self.cloud = OfflineCloud({"aws:region": "us-east-1"})
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args):
        self.created.append(args)
        rid, outputs, _ = self.cloud.new_resource(
            args.typ, args.name, args.inputs, f"urn:test::{args.typ}::{args.name}"
        )
        return rid, outputs

    def call(self, args):
        return self.cloud.invoke(args.token, args.args)


@pytest.fixture
def mocks():
    recorder = RecordingMocks()
    pulumi.runtime.set_mocks(recorder, project="medinfra", stack="test", preview=True)
    return recorder
