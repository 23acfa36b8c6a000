"""MedInfra's own Checkov checks: what Checkov checks on one framework but not on another we
convert to (blob public access: Terraform's CKV_AZURE_190 has no ARM counterpart).

They are laid out as Checkov's are: one class per file under `<framework>/`, a module-level
`check`, an id `CKV_MED_<CLOUD>_<n>` that cannot collide with Checkov's, a name stating the
desired outcome and a guideline in docs/checkov-custom-checks.md. Constructing a check registers
it in Checkov's registry for its framework, so importing the modules (`load`, called by the
runner once Checkov is imported) is all it takes; Checkov then runs them like its own.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

ID_PREFIX = "CKV_MED_"
#: Subpackage -> the Checkov framework whose registry its checks join.
FRAMEWORKS = {"arm": "arm"}


def load() -> list[Any]:
    """Import every check module (registering its check) and return the checks."""
    checks = []
    for package in FRAMEWORKS:
        parent = importlib.import_module(f"{__name__}.{package}")
        for info in sorted(pkgutil.iter_modules(parent.__path__), key=lambda m: m.name):
            checks.append(importlib.import_module(f"{parent.__name__}.{info.name}").check)
    return checks
