"""The MedInfra CrossGuard policy pack: `pulumi preview --policy-pack policies`.

Constructing a PolicyPack serves until SIGINT, so this file only does that; the policies live in
policies/pack.py, where tests can import them.
"""

import sys
from pathlib import Path

# The CLI runs the pack with cwd=policies/ and the caller's PYTHONPATH. Our modules import as
# `medinfra.policies.*`: in a source checkout the repository root (beside this folder) has to be
# importable; in an installed wheel `medinfra` is already in site-packages.
_ROOT = Path(__file__).resolve().parent.parent
if (_ROOT / "medinfra" / "__init__.py").is_file() and str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from medinfra.policies.pack import PACK_DESCRIPTION, build_policies  # noqa: E402
from medinfra.policies.violations import PACK_NAME  # noqa: E402
from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

PolicyPack(
    PACK_NAME,
    policies=build_policies(),
    enforcement_level=EnforcementLevel.MANDATORY,
    description=PACK_DESCRIPTION,
)
