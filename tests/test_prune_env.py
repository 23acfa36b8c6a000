"""scripts/prune_env.py: re-running setup after a lock changed leaves an environment holding
exactly its lock (pip never removes what an older lock installed, e.g. Checkov in .venv)."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import prune_env  # noqa: E402


def test_the_names_a_lock_pins_are_normalized_and_hashes_and_comments_are_not_names():
    lock = (
        "# via: Foo_Bar\n"
        "Foo_Bar==1.0 \\\n    --hash=sha256:" + "a" * 64 + "\n"
        "zope.interface==7.0 ; python_version >= '3.11' \\\n"
        "uvicorn[standard]==0.30 \\\n"
        "    # via kserve\n"
    )
    assert prune_env.pinned(lock) == {"foo-bar", "zope-interface", "uvicorn"}


def test_only_what_no_lock_holds_is_removed_and_pip_and_medinfra_stay():
    installed = {"checkov", "boto3", "pip", "medinfra", "setuptools", "bc-python-hcl2"}
    kept = {"boto3", "setuptools"}
    assert prune_env.extras(installed, kept) == ["bc-python-hcl2", "checkov"]


def _venv_with(tmp_path: Path, *dists: str) -> Path:
    """A venv (no pip) whose site-packages holds the given distributions' metadata only."""
    root = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(root)
    (site,) = root.glob("lib/python*/site-packages")
    for name in dists:
        info = site / f"{name}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    return root / "bin" / "python"


def _prune(python: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-I", str(REPO / "scripts" / "prune_env.py"), *args],
                          capture_output=True, text=True, timeout=60)


def test_the_script_lists_in_the_environment_what_its_locks_do_not_pin(tmp_path):
    python = _venv_with(tmp_path, "checkov", "Boto3", "medinfra")
    lock = tmp_path / "requirements.lock"
    lock.write_text("boto3==1.44.18 \\\n    --hash=sha256:" + "b" * 64 + "\n")
    run = _prune(python, "--dry-run", str(lock))
    assert (run.returncode, run.stdout.split(), run.stderr) == (0, ["checkov"], "")


@pytest.mark.parametrize("content", [None, "# nothing pinned\n"])
def test_a_missing_or_empty_lock_removes_nothing_and_fails(tmp_path, content):
    python = _venv_with(tmp_path, "checkov")
    lock = tmp_path / "requirements.lock"
    if content is not None:
        lock.write_text(content)
    run = _prune(python, str(lock))
    assert run.returncode == 2 and run.stdout == ""
    assert str(lock) in run.stderr or "pin nothing" in run.stderr
    assert list(python.parent.parent.glob("lib/python*/site-packages/checkov-1.0.dist-info"))


def test_setup_prunes_each_environment_against_its_own_lock():
    setup = (REPO / "scripts" / "setup.sh").read_text()
    install = setup[setup.index("install() {"):]
    lock_step = install.index('-r "$lock"')
    prune_step = install.index('scripts/prune_env.py "$lock" scripts/installer.lock')
    editable_step = install.index("-e .")
    assert lock_step < prune_step < editable_step
