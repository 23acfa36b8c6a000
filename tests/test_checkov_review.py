"""The reviewed Checkov mandatory set (policies/checkov_bridge/mandatory_set.yaml): a check is
mandatory on PHI only when it enforces a control of the catalogue and its remedy conflicts with
no other control; every decision has its reason, and the catalogue shows it."""

from __future__ import annotations

import pytest
from medinfra.policies.checkov_bridge.controls import (
    CONTROLS,
    MANDATORY,
    OFF,
    REVIEW_FILE,
    ReviewError,
    default_enforcement,
    load_review,
)
from medinfra.policies.checkov_bridge.k8s import component_deployment
from medinfra.policies.rules import load_rules

from tests.conftest import REPO


def test_every_mandatory_check_names_a_rule_of_the_catalogue_and_a_reason():
    rules = {r.id for r in load_rules()}
    for check_id, review in CONTROLS.items():
        assert review.reason, check_id
        assert review.control is None or review.control in rules, (check_id, review.control)
        if check_id in MANDATORY:
            assert review.control in rules and review.family, check_id


@pytest.mark.parametrize("check_id, conflicts_with", [
    ("CKV_AWS_144", "MED-RES-002"), ("CKV_AZURE_206", "MED-RES-002"),
    ("CKV_AZURE_6", "MED-NET-001"), ("CKV_GCP_78", "MED-INT-001"),
])
def test_a_check_whose_remedy_contradicts_a_control_is_off_and_says_which(check_id, conflicts_with):
    assert check_id in OFF
    assert conflicts_with in CONTROLS[check_id].reason
    assert default_enforcement(check_id, phi=True) == "disabled"


@pytest.mark.parametrize("check_id", ["CKV2_AWS_62", "CKV_K8S_8", "CKV_K8S_9", "CKV_K8S_40"])
def test_a_check_that_enforces_no_control_of_ours_is_advisory_even_on_phi(check_id):
    assert check_id not in MANDATORY and check_id not in OFF
    assert default_enforcement(check_id, phi=True) == "advisory"
    assert default_enforcement("CKV_AWS_19", phi=True) == "mandatory"
    assert default_enforcement("CKV_AWS_19", phi=False) == "advisory"


def test_a_review_entry_without_a_reason_or_with_an_unknown_decision_is_refused(tmp_path):
    bad = tmp_path / "review.yaml"
    bad.write_text("checks:\n  CKV_AWS_19:\n    family: encryption\n    control: MED-ENC-001\n"
                   "    decision: \"maybe\"\n    reason: \"x\"\n")
    with pytest.raises(ReviewError, match="decision must be one of mandatory, advisory, off"):
        load_review(bad)
    bad.write_text("checks:\n  CKV_AWS_19:\n    family: encryption\n    control: null\n"
                   "    decision: \"mandatory\"\n    reason: \"x\"\n")
    with pytest.raises(ReviewError, match="needs a family and the control"):
        load_review(bad)
    assert load_review(REVIEW_FILE) == CONTROLS


def test_the_catalogue_shows_every_decision_with_its_reason():
    text = (REPO / "docs" / "controls.md").read_text()
    assert "## Checkov checks, reviewed" in text
    for check_id, review in CONTROLS.items():
        # The decision, and where a reviewed exemption narrows it ("mandatory, not on ..."),
        # the exemption after it.
        assert (f"| {check_id} | {review.decision} |" in text
                or f"| {check_id} | {review.decision}, not on " in text), check_id


def test_kserves_default_readiness_probe_is_on_the_model_pod_it_builds():
    isvc = {"metadata": {"name": "m", "namespace": "models"}, "spec": {"predictor": {
        "model": {"modelFormat": {"name": "pytorch"}, "storageUri": "pvc://models/m",
                  "image": "r.example/m@sha256:" + "a" * 64, "ports": [{"containerPort": 9000}]},
    }}}
    pod = component_deployment(isvc, "predictor")["spec"]["template"]["spec"]
    (server,) = [c for c in pod["containers"] if c["name"] == "kserve-container"]
    assert server["readinessProbe"]["tcpSocket"] == {"port": 9000}
    assert "livenessProbe" not in server  # KServe sets none: CKV_K8S_8 stays (advisory)
    isvc["spec"]["predictor"]["model"]["readinessProbe"] = {"httpGet": {"path": "/ready"}}
    pod = component_deployment(isvc, "predictor")["spec"]["template"]["spec"]
    assert pod["containers"][0]["readinessProbe"] == {"httpGet": {"path": "/ready"}}
