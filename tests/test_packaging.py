"""MedInfra as an installable package: one top-level `medinfra`, a wheel other repositories'
CI can install and run, and a setup whose installer cannot rot."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from medinfra.policies.checkov_bridge.client import checkov_python

from tests.conftest import REPO, run_cli

_MAPPED = {"medinfra": "medinfra", "medinfra.components": "components",
           "medinfra.policies": "policies"}


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_every_package_folder_is_listed_in_pyproject():
    setuptools = _pyproject()["tool"]["setuptools"]
    assert setuptools["package-dir"] == _MAPPED
    found = set()
    for package, folder in _MAPPED.items():
        for init in (REPO / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(REPO / folder)
            found.add(".".join([package, *relative.parts]))
    assert set(setuptools["packages"]) == found


def test_setup_installs_one_pinned_pip_that_no_lock_replaces():
    """setup.sh installs scripts/installer.lock's pip into both environments first; a lock that
    pinned another pip would swap the installer halfway through its own install."""
    pin = re.compile(r"^pip==(\S+) \\$", re.M)
    installer = pin.findall((REPO / "scripts" / "installer.lock").read_text())
    assert len(installer) == 1
    assert "--hash=sha256:" in (REPO / "scripts" / "installer.lock").read_text()
    for lock in ("requirements.lock", "checkov.lock"):
        assert set(pin.findall((REPO / lock).read_text())) <= set(installer), lock


_SOURCES = ("pyproject.toml", "README.md", "medinfra", "components", "policies")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the sources: setuptools writes build/ and *.egg-info into the tree
    it builds, which must not land in this checkout (an egg-info on the path looks installed)."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    for name in _SOURCES:
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-w", str(out), str(source)],
        check=True, capture_output=True, text=True, cwd=out, env=_without_pythonpath(),
    )
    (built,) = out.glob("medinfra-*.whl")
    return built


def _without_pythonpath() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def test_the_wheel_holds_one_top_level_package_with_its_rules_and_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"medinfra"}
    for needed in ("medinfra/policies/PulumiPolicy.yaml", "medinfra/policies/waivers.yaml",
                   "medinfra/policies/manifest.json",
                   "medinfra/policies/rego/lib/medinfra.rego",
                   "medinfra/policies/checkov_bridge/sdk_maps.json",
                   "medinfra/data/pulumi-project.schema.json",
                   "medinfra/evidence/templates/report.html.j2",
                   "medinfra/evidence/data/hipaa-2.0.0-standards.json",
                   "medinfra/components/config.py" if (REPO / "components/config.py").exists()
                   else "medinfra/components/config/__init__.py"):
        assert needed in names, needed
    rules = {n for n in names if n.endswith(".rego") and not n.endswith("_test.rego")}
    assert len(rules) == len(list((REPO / "policies" / "rego").rglob("*.rego"))) - len(
        list((REPO / "policies" / "rego").rglob("*_test.rego"))
    )


def test_the_wheel_in_an_empty_venv_lists_the_rules_and_gates_a_program(wheel, tmp_path):
    """Installed as another repository's CI would, away from this checkout. Its dependencies
    come from this suite's environment through a path file, so nothing is downloaded; the
    editable install of this checkout is not visible there (path files of an added directory
    are not processed)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # Every site-packages of this interpreter (a venv may itself layer another's).
    dependencies = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    Path(site, "medinfra-test-dependencies.pth").write_text("\n".join(dependencies) + "\n")
    env = _without_pythonpath()
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--ignore-installed",
         "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    installed = {p.name for p in Path(site).iterdir()}
    assert "medinfra" in installed
    assert not installed & {"components", "policies", "scripts"}

    program = tmp_path / "minimal-bucket"
    shutil.copytree(REPO / "examples" / "minimal-bucket", program)
    where = subprocess.run(
        [python, "-c", "import medinfra, medinfra.policies; print(medinfra.SOURCE_ROOT, "
         "medinfra.policies.__file__)"],
        cwd=tmp_path, env=env, check=True, capture_output=True, text=True,
    ).stdout
    assert where.startswith("None ") and where.split()[1].startswith(site)

    medinfra = str(venv / "bin" / "medinfra")
    # An installed MedInfra is told where Checkov's own environment is (docs/checkov-worker.md).
    env["MEDINFRA_CHECKOV_PYTHON"] = checkov_python()
    listed = subprocess.run([medinfra, "policies", "list", "--format", "json"],
                            cwd=tmp_path, env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert "MED-ENC-001" in listed.stdout

    gated = subprocess.run(
        [medinfra, "preview", "--dir", str(program), "--stack", "dev", "--format", "json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    from_source = run_cli("preview", "--dir", str(program), "--stack", "dev", "--format", "json")
    # minimal-bucket is a plain program (no MedInfra tags, no allowed regions): it is judged,
    # and blocked, exactly as from this checkout -- not failed to run (exit 3).
    assert gated.returncode == from_source.code == 1, gated.stderr + from_source.stderr
    report, expected = json.loads(gated.stdout), from_source.json()
    assert report["decision"] == expected["decision"] == "block"
    assert not [f for f in report["findings"] if f["id"].startswith("MED-GATE")]
    assert report["project"] == "minimal-bucket" and report["resources"] == expected["resources"]
    assert report["findings"] == expected["findings"]

    # The wheel verifies its own rules against the manifest it ships, and names a changed one.
    verified = subprocess.run([medinfra, "policies", "verify"], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    rule = Path(site, "medinfra/policies/rego/store_versioned/store_versioned.rego")
    rule.write_text(rule.read_text() + "\n# changed after install\n")
    tampered = subprocess.run([medinfra, "policies", "verify"], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
    assert tampered.returncode == 1
    assert "policies/rego/store_versioned/store_versioned.rego: sha256 " in tampered.stderr
