"""dataStores[].kind and models[].dataStores: each bad value is one problem naming the key, the
value and what is allowed (exit 2 through the CLI, never a traceback)."""

from __future__ import annotations

import yaml

from tests.test_platform_config import _model, _problems

OBJECTS = {"name": "models", "purpose": "models"}
IMAGING = {"name": "imaging", "kind": "dicom"}
CLINICAL = {"name": "clinical", "kind": "fhir"}


def test_kind_must_be_objects_dicom_or_fhir():
    problems = _problems(dataStores=[OBJECTS, {"name": "imaging", "kind": "DICOM"}])
    assert problems == {"dataStores[1].kind": (
        "medinfra:dataStores[1].kind: got \"DICOM\"; expected one of 'objects', 'dicom' or "
        "'fhir'")}


def test_retention_on_a_dicom_or_fhir_store_is_refused():
    problems = _problems(dataStores=[
        OBJECTS, {**IMAGING, "retentionDays": 30}, {**CLINICAL, "retentionDays": 2190}])
    assert problems == {
        "dataStores[1].retentionDays": (
            "medinfra:dataStores[1].retentionDays: got 30; applies to objects stores only; a "
            "dicom store keeps what it holds until it is deleted"),
        "dataStores[2].retentionDays": (
            "medinfra:dataStores[2].retentionDays: got 2190; applies to objects stores only; a "
            "fhir store keeps what it holds until it is deleted"),
    }


def test_duplicate_store_names_are_refused_whatever_their_kind():
    problems = _problems(dataStores=[OBJECTS, IMAGING, {"name": "imaging", "kind": "fhir"}])
    assert problems == {"dataStores": (
        'medinfra:dataStores: got "imaging"; store names must be unique')}


def test_a_model_naming_a_missing_store_is_told_which_stores_it_may_name():
    problems = _problems(
        dataStores=[OBJECTS, IMAGING, CLINICAL],
        models=[_model(gpu=0, dataStores=["imaging", "pathology"])])
    assert problems == {"models[0].dataStores[1]": (
        'medinfra:models[0].dataStores[1]: got "pathology"; must name a dicom or fhir store of '
        "dataStores (this stack has: clinical, imaging)")}


def test_a_model_naming_an_object_store_is_refused():
    problems = _problems(dataStores=[OBJECTS, IMAGING],
                         models=[_model(gpu=0, dataStores=["models"])])
    assert problems == {"models[0].dataStores[0]": (
        'medinfra:models[0].dataStores[0]: got "models"; must name a dicom or fhir store of '
        "dataStores (this stack has: imaging)")}


def test_a_model_naming_a_store_on_a_stack_without_health_stores_is_told_there_are_none():
    problems = _problems(models=[_model(gpu=0, dataStores=["imaging"])])
    assert problems["models[0].dataStores[0]"].endswith("(this stack has: none)")


def test_every_store_problem_of_a_stack_is_one_exit_2_error(cli, platform_copy):
    stack = {"config": {
        "medinfra:cloud": "aws",
        "medinfra:environment": "dev",
        "medinfra:region": "us-east-1",
        "medinfra:allowedRegions": ["us-east-1"],
        "medinfra:tags": {"owner": "a", "costCenter": "b"},
        "medinfra:dataStores": [
            OBJECTS,
            {"name": "imaging", "kind": "dicom", "retentionDays": 30},
            {"name": "imaging", "kind": "fhir"},
            {"name": "genomics", "kind": "vcf"},
        ],
    }}
    result = cli("preview", "--dir", str(platform_copy({"bad": yaml.safe_dump(stack)})),
                 "--stack", "bad")
    assert result.code == 2, result.stderr
    assert result.stderr.count("medinfra: error:") == 1
    assert "Traceback" not in result.stderr
    for line in (
        "medinfra:dataStores[3].kind: got \"vcf\"; expected one of 'objects', 'dicom' or 'fhir'",
        "medinfra:dataStores[1].retentionDays: got 30; applies to objects stores only",
        'medinfra:dataStores: got "imaging"; store names must be unique',
    ):
        assert line in result.stderr, result.stderr
