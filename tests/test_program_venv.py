"""`medinfra preview --dir P` plans P in the virtualenv its Pulumi.yaml declares, found where
the Pulumi CLI finds it (medinfra/program_python.py), with only the medinfra package added."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from medinfra.planner import plan
from medinfra.program_python import resolve
from medinfra.project import InputError, load_project, load_stack_config
from medinfra.render import report
from tests.conftest import PROGRAMS, REPO
from tests.program_venv import program_venv, site_packages

LOCK = REPO / "tests" / "fixtures" / "program_venv" / "requirements.lock"


def _locked(package: str) -> str:
    (version,) = re.findall(rf"^{package}==(\S+)", LOCK.read_text(), re.M)
    return version


@pytest.fixture(scope="session")
def own_venv() -> Path:
    return program_venv(LOCK)


def _copy(tmp_path: Path, venv: Path | None) -> Path:
    project = tmp_path / "own-venv"
    shutil.copytree(PROGRAMS / "own-venv", project)
    if venv is not None:
        (project / "venv").symlink_to(venv, target_is_directory=True)
    return project


def test_program_is_planned_on_the_sdk_release_of_its_own_virtualenv(tmp_path, own_venv):
    wanted = _locked("pulumi-azure-native")
    assert wanted != metadata.version("pulumi-azure-native"), (
        "the fixture must pin a release MedInfra's own environment does not have; pick another "
        "in tests/fixtures/program_venv/requirements.lock"
    )
    project = load_project(_copy(tmp_path, own_venv))
    planned = plan(project, load_stack_config(project, "test"))
    assert planned.outputs["azureNativeVersion"] == wanted
    # The venv's own site-packages, not MedInfra's, although the overlay holds its release too.
    found = Path(planned.outputs["azureNativeFile"]).resolve()
    assert found.is_relative_to(site_packages(own_venv).resolve())
    (setting,) = [r for r in planned.resources
                  if r["type"] == "azure-native:monitor:DiagnosticSetting"]
    assert setting["props"]["logs"] == [{"categoryGroup": "audit", "enabled": True}]
    summary = report(planned, "allow", [])["environment"]  # what --format json shows
    assert summary["python"] == str(project.dir / "venv")
    assert summary["sdks"]["pulumi-azure-native"] == wanted
    assert summary["sdks"]["pulumi"] == _locked("pulumi")  # a newer core than ours, too


def test_a_missing_virtualenv_is_exit_2_naming_the_option_value_and_path(cli, tmp_path):
    project = _copy(tmp_path, None)
    result = cli("preview", "--dir", str(project), "--stack", "test")
    assert result.code == 2
    assert "runtime.options.virtualenv is 'venv'" in result.stderr
    assert f"{project / 'venv'} doesn't exist" in result.stderr
    assert "python3 -m venv" in result.stderr and "Traceback" not in result.stderr


def test_a_virtualenv_without_pulumi_is_exit_2_saying_what_it_lacks(cli, tmp_path):
    project = _copy(tmp_path, None)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "venv")],
                   check=True)
    result = cli("preview", "--dir", str(project), "--stack", "test")
    assert result.code == 2, result.stderr
    assert "runtime.options.virtualenv is 'venv'" in result.stderr
    assert "cannot import 'pulumi'" in result.stderr and "Traceback" not in result.stderr


def _project(tmp_path: Path, runtime: str, *files: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text(f"name: p\nruntime: {runtime}\n")
    (tmp_path / "__main__.py").write_text("")
    for name in files:
        (tmp_path / name).write_text("")
    return tmp_path


def _venv(path: Path) -> Path:
    (path / "bin").mkdir(parents=True)
    (path / "bin" / "python").write_text("")
    return path


def test_virtualenv_is_resolved_as_the_pulumi_cli_resolves_it(tmp_path, monkeypatch):
    monkeypatch.delenv("UV_PROJECT_ENVIRONMENT", raising=False)
    # pip (the default without lock files): relative to the project; none declared: ours.
    pip = _project(tmp_path / "pip", "{name: python, options: {virtualenv: env}}")
    _venv(pip / "env")
    assert resolve(load_project(pip)).virtualenv == pip / "env"
    assert resolve(load_project(_project(tmp_path / "plain", "python"))).virtualenv is None
    absolute = _venv(tmp_path / "elsewhere")
    spec = f"{{name: python, options: {{virtualenv: {absolute}}}}}"
    assert resolve(load_project(_project(tmp_path / "abs", spec))).virtualenv == absolute
    # uv (a uv.lock here or above): .venv next to it unless declared, or UV_PROJECT_ENVIRONMENT.
    uv = _project(tmp_path / "uv", "python", "uv.lock")
    _venv(uv / ".venv")
    assert resolve(load_project(uv)).virtualenv == uv / ".venv"
    monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", "custom")
    _venv(uv / "custom")
    assert resolve(load_project(uv)).virtualenv == uv / "custom"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("{toolchain: conda}", "runtime.options.toolchain: got 'conda'; expected one of 'pip'"),
        ("{virtualenv: 3}", "runtime.options.virtualenv: got 3; expected a string"),
        ("{virtualenv: venv}", "runtime.options.virtualenv is 'venv', but"),
    ],
)
def test_bad_runtime_options_are_input_errors(tmp_path, options, message):
    project = load_project(_project(tmp_path, f"{{name: python, options: {options}}}"))
    with pytest.raises(InputError, match=re.escape(message)):
        resolve(project)
