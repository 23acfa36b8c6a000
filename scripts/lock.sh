#!/usr/bin/env bash
# Regenerate requirements.lock (every runtime + dev dependency, pinned, with hashes) from pyproject.toml.
# Pre-releases are refused so a nightly alpha never sneaks into a compliance tool.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet "uv>=0.5"
python3 -m uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
  --prerelease disallow --generate-hashes --no-header --index-url https://pypi.org/simple \
  -o requirements.lock
