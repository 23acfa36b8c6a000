"""The MedInfra CrossGuard policy pack: `pulumi preview --policy-pack policies`.

Constructing a PolicyPack serves until SIGINT, so this file only does that; the policies live in
policies/analyzer.py, where tests can import them.
"""

import sys
from pathlib import Path

# The CLI runs the pack with cwd=policies/ and the caller's PYTHONPATH, but our modules import
# as `policies.*`, so the repository root has to be importable.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policies.analyzer import PACK_DESCRIPTION, PACK_NAME, build_policies  # noqa: E402

PolicyPack(
    PACK_NAME,
    policies=build_policies(),
    enforcement_level=EnforcementLevel.MANDATORY,
    description=PACK_DESCRIPTION,
)
