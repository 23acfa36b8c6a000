#!/usr/bin/env bash
# Regenerate both lock files (every package pinned, with hashes, for any platform, Python 3.11):
#   requirements.lock  the product environment (.venv): pyproject.toml with the dev extra;
#   checkov.lock       Checkov's own environment (.venv-checkov): scripts/checkov.in.
# Existing pins are kept unless a requirement forces a change (uv reads the old output as
# preferences): bump one package with e.g. `scripts/lock.sh --upgrade-package pulumi-aws`,
# everything with `scripts/lock.sh --upgrade`. Extra arguments go to both compiles.
# Pre-releases are refused so a nightly alpha never sneaks into a compliance tool, except
# where scripts/lock-constraints.txt names one explicitly (OpenTelemetry's beta-only packages).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet "uv>=0.5"
common=(--universal --python-version 3.11 --generate-hashes --no-header
        --index-url https://pypi.org/simple)
python3 -m uv pip compile pyproject.toml --extra dev "${common[@]}" --prerelease explicit \
  -c scripts/lock-constraints.txt -o requirements.lock "$@"
python3 -m uv pip compile scripts/checkov.in "${common[@]}" --prerelease disallow \
  -o checkov.lock "$@"
