"""Bad GCP stack config is one clear error with exit 2, before anything is planned."""

from __future__ import annotations

from tests.conftest import REPO

DEV = (REPO / "stacks" / "Pulumi.gcp-dev.yaml").read_text()


def test_wrong_accelerator_and_region_outside_allowed_regions_are_one_error(cli, platform_copy):
    text = DEV.replace("accelerator: nvidia-tesla-t4", "accelerator: nvidia-l4").replace(
        "medinfra:region: europe-west4", "medinfra:region: us-central1")
    project = platform_copy({"gcp-dev": text})
    result = cli("preview", "--dir", str(project), "--stack", "gcp-dev")
    assert result.code == 2, result.stderr
    assert "invalid stack config (2 problems)" in result.stderr
    assert ('medinfra:cluster.gpuPools[0].accelerator: got "nvidia-l4"; n1 machines offer '
            "nvidia-tesla-p100, nvidia-tesla-p4, nvidia-tesla-t4, nvidia-tesla-v100"
            ) in result.stderr
    assert ('medinfra:region: got "us-central1"; must be one of allowedRegions '
            '["europe-west4", "europe-west1"] (data residency)') in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_gcp_project_is_named(cli, platform_copy):
    project = platform_copy({"gcp-dev": DEV.replace("  gcp:project: medinfra-radiology-dev\n",
                                                    "")})
    result = cli("preview", "--dir", str(project), "--stack", "gcp-dev")
    assert result.code == 2, result.stderr
    assert "gcp:project: required: the project to deploy into" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_model_outside_the_stacks_buckets_is_refused(cli, platform_copy):
    project = platform_copy({"gcp-dev": DEV.replace("gs://medinfra-gcp-dev-models/",
                                                    "gs://public-datasets/")})
    result = cli("preview", "--dir", str(project), "--stack", "gcp-dev")
    assert result.code == 2, result.stderr
    assert "models[0].storageUri: gs://public-datasets/chest-xray/2026.10.1/ is not in a " \
           "store of this stack" in result.stderr
