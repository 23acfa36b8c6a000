"""MedInfra: compliant GPU inference platforms for clinical AI, and the gate that judges them.

One importable package. The repository keeps `components/` and `policies/` as top-level folders
(what gets deployed, what judges it), but they are imported as `medinfra.components` and
`medinfra.policies` so that installing MedInfra never puts generic top-level names into a user's
site-packages:

* in a wheel, setuptools' `package-dir` mapping (pyproject.toml) places them inside this
  package, so nothing below extends anything;
* in a source checkout (editable install, or the repository root on `sys.path`), this package's
  search path also covers the repository root, so `medinfra.components` is `components/`.
"""

from __future__ import annotations

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent

# The repository root when running from a source checkout, else None (an installed wheel).
_INSTALLED = (_HERE / "components").is_dir()
SOURCE_ROOT: Path | None = (
    _HERE.parent
    if not _INSTALLED and (_HERE.parent / "components" / "__init__.py").is_file()
    else None
)

if SOURCE_ROOT is not None:
    __path__.append(str(SOURCE_ROOT))  # noqa: F821 -- a package's own search path


def child_environment(env: dict[str, str]) -> dict[str, str]:
    """`env` for a child interpreter that must import this same `medinfra` (a planner worker,
    the policy pack): a source checkout's root goes first on its PYTHONPATH; an installed wheel
    is found in site-packages already, so nothing is added."""
    if SOURCE_ROOT is not None:
        rest = [env["PYTHONPATH"]] if env.get("PYTHONPATH") else []
        env["PYTHONPATH"] = os.pathsep.join([str(SOURCE_ROOT), *rest])
    return env
