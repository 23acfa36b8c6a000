#!/usr/bin/env bash
# Create MedInfra's two environments and install each exactly as locked (every hash checked):
#   .venv          the product: MedInfra, its SDKs and the dev tools (requirements.lock);
#   .venv-checkov  Checkov alone (checkov.lock), plus MedInfra itself without its dependencies
#                  so `medinfra.policies.checkov_bridge` imports there. MedInfra runs Checkov
#                  with <repo>/.venv-checkov/bin/python (env MEDINFRA_CHECKOV_PYTHON overrides).
# Checkov pins boto3 and caps packaging and the CycloneDX libraries; apart, none of its pins
# reaches the product. Safe to re-run: an environment whose lock (and installer, pyproject.toml)
# has not changed since its last successful install is left alone at once.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "setup: $PYTHON not found; MedInfra needs Python 3.11 or newer (set PYTHON=...)" >&2
  exit 2
fi
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else
  f"setup: MedInfra needs Python 3.11 or newer; {sys.executable} is {sys.version.split()[0]}")'

pip_install() {  # <venv> <pip arguments...>
  local venv="$1"; shift
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
}

# install <venv> <lock> <what>: the environment <venv> holding exactly <lock>, then MedInfra
# itself (editable, no dependencies of its own to resolve, nothing fetched for the build).
install() {
  local venv="$1" lock="$2" what="$3"
  if [ ! -f "$lock" ]; then
    echo "setup: $lock is missing; regenerate it with scripts/lock.sh" >&2
    exit 2
  fi
  if [ ! -x "$venv/bin/python" ]; then
    "$PYTHON" -m venv "$venv" || {
      echo "setup: could not create $venv (on Debian/Ubuntu: apt-get install python3-venv)" >&2
      exit 2
    }
  fi
  local stamp="$venv/.medinfra-installed" want
  want="$(sha256sum scripts/installer.lock "$lock" pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  rm -f "$stamp"
  echo "setup: installing $what from $lock into $venv (first run takes a few minutes)" >&2
  # A current, hash-checked pip first: the one a new venv bundles may be too old for the lock.
  pip_install "$venv" --require-hashes -r scripts/installer.lock \
    || { echo "setup: could not install the pinned pip (scripts/installer.lock) into $venv" >&2; exit 3; }
  pip_install "$venv" --no-compile --require-hashes -r "$lock" \
    || { echo "setup: could not install $lock into $venv (every hash is checked)" >&2; exit 3; }
  # pip adds and upgrades but never removes: drop what an older lock left (e.g. Checkov in .venv).
  "$venv/bin/python" -I scripts/prune_env.py "$lock" scripts/installer.lock >/dev/null \
    || { echo "setup: could not remove from $venv what $lock does not hold" >&2; exit 3; }
  pip_install "$venv" --no-deps --no-build-isolation -e . \
    || { echo "setup: could not install MedInfra itself into $venv" >&2; exit 3; }
  echo "$want" > "$stamp"
}

install .venv requirements.lock "MedInfra and its SDKs"
install .venv-checkov checkov.lock "Checkov"
