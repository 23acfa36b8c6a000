"""A program's own virtualenv for tests: built honestly (a fresh venv, hash-checked installs of
what differs from MedInfra's environment), once, and cached under the repository.

The packages a lock file lists are installed into the venv with `--require-hashes --no-deps`;
everything else comes from the environment running the tests through an overlay `.pth`, whose
directory Python appends AFTER the venv's own site-packages, so the venv's releases win. The
cache (`.cache/program-venvs/<key>`, gitignored) is keyed by the lock's content, this Python and
the overlaid environment; a build goes to a temporary directory and is renamed into place only
when complete, so an interrupted build is never reused.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "program-venvs"


def _key(lock: Path) -> str:
    digest = hashlib.sha256(lock.read_bytes())
    digest.update(f"{sys.version}\n{sys.prefix}\n".encode())
    return digest.hexdigest()[:20]


def site_packages(venv: Path) -> Path:
    return venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"


def program_venv(lock: Path) -> Path:
    """The virtualenv for `lock` (built on first use; later runs reuse it)."""
    target = CACHE / _key(lock)
    if (target / "bin" / "python").is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    building = CACHE / f"{target.name}.building-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(building)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(building / "bin" / "python"), "install",
         "--quiet", "--disable-pip-version-check", "--no-compile", "--require-hashes",
         "--no-deps", "-r", str(lock)],
        check=True,
    )
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site_packages(building) / "zz-medinfra-overlay.pth").write_text(
        "".join(f"{path}\n" for path in ours), encoding="utf-8"
    )
    try:
        building.rename(target)
    except OSError:  # another session finished first: use theirs
        shutil.rmtree(building, ignore_errors=True)
    return target
