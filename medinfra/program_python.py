"""Which Python plans a program: the virtualenv its `Pulumi.yaml` declares, found exactly where
the Pulumi CLI's Python language host finds it, or MedInfra's own interpreter if it declares none.

The CLI (pulumi/pulumi `sdk/python/toolchain`, `ResolveToolchain` and each toolchain's
`ValidateVenv`/`Command`) resolves `runtime.options`:

* `toolchain` absent: `uv` if a `uv.lock` lies in the program directory or above it, else
  `poetry` if a `poetry.lock` does, else `pip`;
* `pip`: `virtualenv` relative to the project root (absolute paths as they are); none declared
  means the ambient `python3` on PATH. MedInfra plans such a program on its own environment
  (the one this command runs in), as it always has;
* `uv`: `virtualenv` relative to the root; none declared means `.venv` (or
  `$UV_PROJECT_ENVIRONMENT`) next to the nearest `uv.lock`, else the nearest `pyproject.toml`,
  else in the project root;
* `poetry`: `poetry env info --path` in the program directory (`virtualenv` is ignored).

A virtualenv "is" one when `<dir>/bin/python` is a file. Where `pulumi preview` would create a
missing one and install the project's requirements into it (`EnsureVenv`), MedInfra installs
nothing: an offline gate must not fetch packages. A missing or broken virtualenv is exit 2,
naming the option, its value, the path and how to create it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from medinfra.project import InputError, Project

TOOLCHAINS = ("pip", "uv", "poetry")


@dataclass(frozen=True)
class ProgramPython:
    """The interpreter a program runs on, and the virtualenv it belongs to (None: MedInfra's)."""

    executable: Path
    virtualenv: Path | None = None
    #: What Pulumi.yaml says, for messages: e.g. "runtime.options.virtualenv is 'venv'".
    declared: str = ""

    def environment(self, env: dict[str, str]) -> dict[str, str]:
        """`env` as the CLI's `ActivateVirtualEnv` leaves it: the venv's bin first on PATH,
        VIRTUAL_ENV set, PYTHONHOME removed. MedInfra's own environment: unchanged."""
        if self.virtualenv is None:
            return env
        env = {k: v for k, v in env.items() if k.upper() not in ("PYTHONHOME", "VIRTUAL_ENV")}
        path = env.get("PATH")
        env["PATH"] = os.pathsep.join([str(self.virtualenv / "bin"), *([path] if path else [])])
        env["VIRTUAL_ENV"] = str(self.virtualenv)
        return env

    def describe(self) -> str:
        """Where the program ran, for reports: the virtualenv, or MedInfra's environment."""
        return str(self.virtualenv) if self.virtualenv else "medinfra"


def ours() -> ProgramPython:
    return ProgramPython(Path(sys.executable))


def _search_up(start: Path, name: str) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / name).exists():
            return directory
    return None


def _option(project: Project, key: str) -> str | None:
    value = project.runtime_options.get(key)
    if value is None or isinstance(value, str):
        return value or None
    where = project.file or project.dir / "Pulumi.yaml"
    raise InputError(
        f"{where}: runtime.options.{key}: got {value!r}; expected a string"
        + (" (a path, relative to the project directory)" if key == "virtualenv" else "")
    )


def _toolchain(project: Project, program_dir: Path) -> str:
    declared = _option(project, "toolchain")
    if declared is None:
        if _search_up(program_dir, "uv.lock"):
            return "uv"
        if _search_up(program_dir, "poetry.lock"):
            return "poetry"
        return "pip"
    if declared not in TOOLCHAINS:
        where = project.file or project.dir / "Pulumi.yaml"
        raise InputError(
            f"{where}: runtime.options.toolchain: got {declared!r}; expected one of "
            + ", ".join(repr(t) for t in TOOLCHAINS)
        )
    return declared


def _uv_default(project: Project, program_dir: Path) -> Path:
    home = (
        _search_up(program_dir, "uv.lock")
        or _search_up(program_dir, "pyproject.toml")
        or project.dir
    )
    return home / (os.environ.get("UV_PROJECT_ENVIRONMENT") or ".venv")


def _poetry_env(project: Project, program_dir: Path) -> Path:
    where = project.file or project.dir / "Pulumi.yaml"
    poetry = shutil.which("poetry")
    if poetry is None:
        raise InputError(
            f"{where}: runtime.options.toolchain is 'poetry', but no `poetry` executable is on "
            "PATH; expected poetry (which knows the project's virtualenv), or toolchain 'pip' "
            "with runtime.options.virtualenv"
        )
    try:
        out = subprocess.run(
            [poetry, "env", "info", "--path"], cwd=program_dir, capture_output=True,
            text=True, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"{where}: `poetry env info --path` failed: {exc}") from None
    if out.returncode != 0 or not out.stdout.strip():
        raise InputError(
            f"{where}: runtime.options.toolchain is 'poetry', but `poetry env info --path` names "
            "no virtualenv; expected one created by `poetry install`"
        )
    return Path(out.stdout.strip())


def resolve(project: Project) -> ProgramPython:
    """The interpreter `project` runs on; InputError (exit 2) if its virtualenv is unusable."""
    program_dir = project.main.parent
    toolchain = _toolchain(project, program_dir)
    option = _option(project, "virtualenv")
    if toolchain == "poetry":
        venv, declared = _poetry_env(project, program_dir), "runtime.options.toolchain is 'poetry'"
    elif option:
        venv = Path(option) if os.path.isabs(option) else project.dir / option
        declared = f"runtime.options.virtualenv is {option!r}"
    elif toolchain == "uv":
        venv = _uv_default(project, program_dir)
        declared = "runtime.options.toolchain is 'uv' (its default virtualenv)"
    else:
        return ours()
    python = venv / "bin" / "python"
    if not python.is_file():
        state = (
            "doesn't exist" if not venv.exists() else "doesn't appear to be a virtual environment"
        )
        where = project.file or project.dir / "Pulumi.yaml"
        raise InputError(
            f"{where}: {declared}, but {venv} {state} (no {python}); expected a virtual "
            f"environment holding the program's dependencies. Create it as the Pulumi CLI would:\n"
            f"    python3 -m venv {venv}\n"
            f"    {python} -m pip install -r requirements.txt\n"
            "(medinfra preview never installs packages; a project that declares no virtualenv "
            "is planned on MedInfra's own environment)"
        )
    return ProgramPython(python, venv, declared)


def unusable(project: Project, python: ProgramPython, reason: str) -> InputError:
    """The error for a virtualenv whose interpreter cannot run the planner (exit 2)."""
    where = project.file or project.dir / "Pulumi.yaml"
    return InputError(
        f"{where}: {python.declared}; its interpreter {python.executable} cannot plan the "
        f"program: {reason}; expected Python 3.11 or newer with the program's requirements "
        f"installed, pulumi among them ({python.executable} -m pip install -r requirements.txt)"
    )
