"""The InferenceService is built from kserve's models without loading KServe's model server
(components/k8s/kserve_models.py), and kserve stays whole for whoever imports it afterwards."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

_PROBE = """
import sys
import medinfra.components.k8s.isvc_spec as spec
heavy = sorted(m for m in ("pandas", "numpy", "fastapi") if m in sys.modules)
assert heavy == [], heavy
import kserve
from kserve import Model
assert kserve.V1beta1InferenceService is spec.V1beta1InferenceService
assert kserve.models.V1beta1ModelSpec is spec.V1beta1ModelSpec
assert kserve.KServeClient.__name__ == "KServeClient" and Model.__name__ == "Model"
print("ok")
"""


def test_isvc_spec_skips_the_model_server_and_kserve_stays_whole():
    proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
                          timeout=120)
    assert proc.stdout.strip() == "ok", proc.stderr
