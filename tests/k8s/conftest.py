"""Kubernetes fixtures: an in-process recording mock for component tests (the planned
Inventories are session fixtures of tests/conftest.py)."""

from __future__ import annotations

import pulumi
import pytest


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every resource and echoes its inputs; no data source is answered."""

    def __init__(self):
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args):
        self.created.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        raise NotImplementedError(f"unmocked call {args.token}")


@pytest.fixture
def k8s_mocks():
    recorder = RecordingMocks()
    pulumi.runtime.set_mocks(recorder, project="medinfra", stack="test", preview=True)
    return recorder
