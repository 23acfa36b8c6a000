"""The moto server's fake AWS environment stays with the audit tests: `medinfra` commands that
other tests run on the same pytest-xdist worker see the user's environment (provider defaults
such as aws-native's sharedCredentialsFile come from it, so a leak changes their Inventories)."""

from __future__ import annotations

import os

from tests.audit.conftest import FAKE_ENV
from tests.conftest import user_environment

# Read at collection, before any session fixture has run.
BEFORE = {key: os.environ.get(key) for key in FAKE_ENV}


def test_commands_of_other_tests_see_the_environment_from_before_the_moto_server(moto_url, cli):
    assert os.environ["AWS_SHARED_CREDENTIALS_FILE"] == FAKE_ENV["AWS_SHARED_CREDENTIALS_FILE"]
    seen = user_environment()
    assert {key: seen.get(key) for key in FAKE_ENV} == BEFORE
    # The `cli` fixture other tests use builds its environment the same way (one conftest module).
    assert cli.__globals__["user_environment"] is user_environment
