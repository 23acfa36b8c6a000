#!/usr/bin/env bash
# Create .venv and install MedInfra exactly as locked (every hash checked). Safe to re-run:
# when requirements.lock has not changed since the last successful install it returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "setup: $PYTHON not found; MedInfra needs Python 3.11 or newer (set PYTHON=...)" >&2
  exit 2
fi
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else
  f"setup: MedInfra needs Python 3.11 or newer; {sys.executable} is {sys.version.split()[0]}")'
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || {
    echo "setup: could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 2
  }
fi
stamp=.venv/.medinfra-installed
want="$(sha256sum scripts/installer.lock requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "setup: installing the locked dependencies into .venv (first run takes a few minutes)" >&2
# A current, hash-checked pip first: the one a new venv bundles may be too old for the lock.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
  -r scripts/installer.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-compile --require-hashes \
  -r requirements.lock
# The project itself: no dependencies of its own to resolve, nothing fetched for the build.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
  --no-build-isolation -e .
echo "$want" > "$stamp"
