"""The KServe chart files our storage-initializer model is ported from (tests/data/kserve/
chart-v0.20.0, provenance in SOURCE.md) still say what kserve_pod.py assumes."""

from __future__ import annotations

import hashlib

import pytest
import yaml
from medinfra.components.k8s.kserve_pod import CHART_STORAGE_DEFAULTS, UNCONFIGURED_CSC

from tests.conftest import REPO

CHART = REPO / "tests" / "data" / "kserve" / "chart-v0.20.0"
BLOBS = {
    "storagecontainer.yaml": "5f8684fd43db41931f27774ff4618ba2805ace58",
    "storagecontainer-patch.yaml": "dfc3878cdb90b71146628ad25c25ad061c2078b5",
    "clusterstoragecontainer.yaml": "0588bc67fb30830d072196de281076924fc8e421",
    "values.yaml": "96639b6308cd064ee2e9f1953d5b4e8765e04584",
    "kustomize-storagecontainer-default.yaml": "454c0a75488d94fc628a43bc2e3b2de59ee7598b",
}


@pytest.mark.parametrize(("name", "blob"), BLOBS.items())
def test_recorded_chart_files_are_the_release_tags_bytes(name, blob):
    data = (CHART / name).read_bytes()
    assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == blob


def test_the_chart_defaults_we_model_are_the_charts():
    storage = yaml.safe_load((CHART / "values.yaml").read_text())["kserve"]["storage"]
    assert {k: storage[k] for k in CHART_STORAGE_DEFAULTS} == CHART_STORAGE_DEFAULTS


def test_the_cluster_storage_container_base_is_the_charts_and_kustomizes():
    chart = yaml.safe_load((CHART / "storagecontainer.yaml").read_text())["spec"]
    kustomize = yaml.safe_load(
        (CHART / "kustomize-storagecontainer-default.yaml").read_text())["spec"]
    for spec in (chart, kustomize):
        assert spec["supportedUriFormats"] == UNCONFIGURED_CSC["supportedUriFormats"]
        assert spec["container"]["resources"] == UNCONFIGURED_CSC["container"]["resources"]
        # Neither install path gives the storage initializer any securityContext of its own.
        assert "securityContext" not in spec["container"]


def test_the_patch_puts_the_values_security_context_on_the_container():
    patch = (CHART / "storagecontainer-patch.yaml").read_text()
    assert ("    securityContext:\n"
            "      {{- with .Values.kserve.storage.containerSecurityContext}}") in patch
    template = (CHART / "clusterstoragecontainer.yaml").read_text()
    assert '"patchFile" "files/common/storagecontainer-patch.yaml"' in template
