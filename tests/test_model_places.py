"""Where each model's served versions live (components/config/serving.py `model_places`), the
one check behind every cloud's `model_locations`: each version that gets traffic in a store of
this stack, all of a model's versions in one store."""

from __future__ import annotations

import json

import yaml
from medinfra.components.aws.compose import model_locations as aws_locations
from medinfra.components.config import load_platform_config
from medinfra.components.config.serving import model_places
from medinfra.components.gcp.compose import model_locations as gcp_locations

from tests.conftest import REPO


def _config(stack: str):
    values = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    values = {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("medinfra:")}
    return load_platform_config(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()})


def _served_twice(config, first: str, second: str):
    """The stack's first model with a prod and a canary version at the two URIs (model_copy:
    no validation, so a canary outside Knative mode is fine for this pure check)."""
    model = config.models[0]
    prod = model.prod().model_copy(update={"stage": "prod", "storage_uri": first})
    canary = prod.model_copy(update={"version": "next", "stage": "canary", "storage_uri": second})
    candidate = prod.model_copy(update={"version": "later", "stage": "candidate",
                                        "storage_uri": "s3://elsewhere/x/"})
    return [model.model_copy(update={"versions": [prod, canary, candidate]})]


def _in_bucket(uri: str):
    bucket, _, path = uri.removeprefix("s3://").partition("/")
    return (bucket, path.strip("/")) if bucket in {"a", "b"} else None


def test_each_served_version_is_placed_and_a_candidate_is_not_judged():
    models = _served_twice(_config("aws-prod"), "s3://a/m/1/", "s3://a/m/2/")
    places, problems = model_places(models, _in_bucket, "s3://{a, b}/...")
    assert places == {models[0].name: {("a", "m/1"), ("a", "m/2")}} and problems == []


def test_a_version_outside_the_stores_is_a_problem_at_its_own_key():
    models = _served_twice(_config("aws-prod"), "s3://a/m/1/", "s3://other/m/2/")
    places, problems = model_places(models, _in_bucket, "s3://{a, b}/...")
    assert problems == [("models[0].versions[1].storageUri",
                         "s3://other/m/2/ is not in a store of this stack (s3://{a, b}/...)")]
    assert places == {models[0].name: {("a", "m/1")}}


def test_versions_in_two_stores_are_one_problem_and_the_model_is_not_placed():
    models = _served_twice(_config("aws-prod"), "s3://a/m/1/", "s3://b/m/2/")
    places, problems = model_places(models, _in_bucket, "s3://{a, b}/...")
    assert places == {}
    assert problems == [("models[0].versions", "prod and canary are in different stores (a, b); "
                         "keep a model's versions in one store")]


def test_aws_reads_the_common_prefix_of_the_served_versions_and_gcp_the_bucket():
    config = _config("aws-prod")
    bucket = "medinfra-aws-prod-models"
    models = _served_twice(config, f"s3://{bucket}/chest-xray/1/", f"s3://{bucket}/chest-xray/2/")
    config = config.model_copy(update={"models": models})
    found, problems = aws_locations("medinfra-aws-prod", config)
    assert (found, problems) == ({models[0].name: ("models", "chest-xray")}, [])

    config = _config("gcp-prod")
    (store,) = [s.name for s in config.object_stores if s.name == "models"]
    found, problems = gcp_locations("medinfra-gcp-prod", config)
    assert problems == [] and set(found.values()) == {store}
