"""Every Helm chart we install is pinned by exact version, and by digest where its source is an
OCI registry (Helm can pull an OCI chart by digest; an HTTP chart repository offers no such pin)."""

from __future__ import annotations

import re

import pytest
from medinfra.components.k8s.kserve_install import KSERVE_CHARTS

from tests.conftest import REPO

RELEASE = "kubernetes:helm.sh/v3:Release"
EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")
OCI_BY_DIGEST = re.compile(r"^oci://[^@\s]+/[^@/\s]+@sha256:[0-9a-f]{64}$")
STACKS = ("dev", "prod", "azure_dev", "azure_prod", "gcp_dev", "gcp_prod")


def chart_pin_problems(props: dict) -> list[str]:
    """What is not pinned in a Helm release's inputs (none: pinned)."""
    problems = []
    chart, repo = props.get("chart", ""), (props.get("repositoryOpts") or {}).get("repo", "")
    if not EXACT_VERSION.match(props.get("version", "")):
        problems.append(f"{chart}: version {props.get('version')!r} is not exact")
    if chart.startswith("oci://") or repo.startswith("oci://"):
        if not OCI_BY_DIGEST.match(chart):
            problems.append(f"{chart}: an OCI chart not referenced as <ref>@sha256:<digest>")
    elif not repo.startswith("https://"):
        problems.append(f"{chart}: chart repository {repo!r} is not https://")
    return problems


@pytest.mark.parametrize("stack", STACKS)
def test_every_planned_helm_release_is_pinned_by_version_and_oci_charts_by_digest(request, stack):
    releases = request.getfixturevalue(stack).of_type(RELEASE)
    assert releases
    assert {r["name"]: chart_pin_problems(r["props"]) for r in releases} == {
        r["name"]: [] for r in releases
    }


def test_the_kserve_charts_are_referenced_by_the_stacks_digests(prod):
    import yaml

    stack = yaml.safe_load((REPO / "stacks" / "Pulumi.aws-prod.yaml").read_text())
    digests = stack["config"]["medinfra:serving"]["kserveChartDigests"]
    charts = {r["props"]["chart"] for r in prod.of_type(RELEASE)}
    assert {f"{KSERVE_CHARTS}/kserve-crd@{digests['kserveCrd']}",
            f"{KSERVE_CHARTS}/kserve-resources@{digests['kserveResources']}"} <= charts


@pytest.mark.parametrize(
    ("props", "problem"),
    [
        ({"chart": "oci://ghcr.io/kserve/charts/kserve-crd", "version": "v0.20.0"},
         "not referenced as <ref>@sha256:<digest>"),
        ({"chart": "kserve-crd", "version": "v0.20.0",
          "repositoryOpts": {"repo": "oci://ghcr.io/kserve/charts"}},
         "not referenced as <ref>@sha256:<digest>"),
        ({"chart": "oci://ghcr.io/kserve/charts/kserve-crd@sha256:" + "a" * 64, "version": "0.x"},
         "is not exact"),
        ({"chart": "cert-manager", "version": "v1.16.2",
          "repositoryOpts": {"repo": "http://charts.jetstack.io"}}, "is not https://"),
    ],
)
def test_the_pin_check_names_an_unpinned_chart(props, problem):
    (found,) = chart_pin_problems(props)
    assert problem in found
