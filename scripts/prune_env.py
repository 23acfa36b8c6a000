"""Remove from an environment every distribution its locks do not hold (pip-sync's other half).

`pip install -r LOCK` adds and upgrades but never removes: an environment made from an older
lock keeps what that lock held. Without this, re-running setup after the split into two
environments would leave Checkov and its old pins in MedInfra's `.venv`. Run by setup.sh with
the environment's own interpreter (standard library only):

    <venv>/bin/python scripts/prune_env.py [--dry-run] LOCK [LOCK ...]

Kept: every name pinned (`name==version`) in the given locks, pip (the installer lock), and
MedInfra itself (installed editable after the lock). Prints what it removes, one per line.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==", re.MULTILINE)
ALWAYS_KEPT = frozenset({"pip", "medinfra"})


def normalize(name: str) -> str:
    """The PEP 503 form of a distribution name (`Foo_Bar.baz` -> `foo-bar-baz`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(lock_text: str) -> set[str]:
    """The names a lock pins."""
    return {normalize(m.group(1)) for m in PIN.finditer(lock_text)}


def extras(installed: set[str], kept: set[str]) -> list[str]:
    """What is installed and not kept, sorted."""
    return sorted(installed - kept - ALWAYS_KEPT)


def installed_names() -> set[str]:
    """The distributions of this interpreter's environment (site-packages, not user site)."""
    names = set()
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            names.add(normalize(name))
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("locks", nargs="+", type=Path)
    parser.add_argument("--dry-run", action="store_true", help="print, do not uninstall")
    args = parser.parse_args(argv)
    kept: set[str] = set()
    for lock in args.locks:
        try:
            kept |= pinned(lock.read_text())
        except OSError as error:
            print(f"prune_env: cannot read {lock}: {error.strerror}", file=sys.stderr)
            return 2
    if not kept:
        print("prune_env: the locks pin nothing; refusing to empty the environment",
              file=sys.stderr)
        return 2
    remove = extras(installed_names(), kept)
    for name in remove:
        print(name)
    if remove and not args.dry_run:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet",
             "--disable-pip-version-check", *remove],
            check=False,
        )
        return 0 if done.returncode == 0 else 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
