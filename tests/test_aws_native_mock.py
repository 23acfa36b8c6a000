"""The offline planner's aws-native part (HealthImaging and HealthLake datastores): a new
stack's preview leaves ids and computed outputs unknown, as the engine does; --synthetic-outputs
gives them the shapes AWS gives them. In-process: no stack is planned."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws_native as aws_native
import pytest
from pulumi.runtime import rpc

from medinfra.mocks import OfflineCloud
from medinfra.mocks.aws import ACCOUNT_ID
from medinfra.mocks.preview import NEW_STACK, SYNTHETIC, PreviewSemantics

REGION = "eu-central-1"
DICOM = "aws-native:healthimaging:Datastore"
FHIR = "aws-native:healthlake:FhirDatastore"
DICOM_INPUTS = {"datastoreName": "p-imaging", "kmsKeyArn": "arn:aws:kms:eu-central-1:1:key/k"}
FHIR_INPUTS = {
    "datastoreName": "p-clinical",
    "datastoreTypeVersion": "R4",
    "sseConfiguration": {"kmsEncryptionConfig": {
        "cmkType": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "arn:aws:kms:eu-central-1:1:key/k"}},
    "identityProviderConfiguration": {"authorizationStrategy": "AWS_AUTH"},
}
#: ARN and id shapes from AWS's API references (HealthImaging TagResource's resourceArn pattern;
#: the IAM service authorization reference's HealthLake datastore ARN).
DICOM_ARN = re.compile(
    rf"^arn:aws:medical-imaging:{REGION}:{ACCOUNT_ID}:datastore/(?P<id>[0-9a-z]{{32}})$")
FHIR_ARN = re.compile(
    rf"^arn:aws:healthlake:{REGION}:{ACCOUNT_ID}:datastore/fhir/(?P<id>[0-9a-f]{{32}})$")


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:s::p::{type_}::{name}"


def _semantics(mode: str) -> PreviewSemantics:
    return PreviewSemantics(OfflineCloud({"aws:region": REGION}), mode)


@pytest.mark.parametrize("type_,inputs,arn", [(DICOM, DICOM_INPUTS, DICOM_ARN),
                                              (FHIR, FHIR_INPUTS, FHIR_ARN)])
def test_synthetic_outputs_give_aws_shaped_ids_and_arns(type_, inputs, arn):
    rid, outputs, generated = _semantics(SYNTHETIC).answer(
        type_, "store", inputs, _urn(type_, "store"), "")
    match = arn.match(outputs["datastoreArn"])
    assert match, outputs["datastoreArn"]
    assert rid == outputs["datastoreId"] == match["id"]
    assert {rid, outputs["datastoreArn"]} <= generated
    assert {k: outputs[k] for k in inputs} == inputs  # the inputs come back as they went in
    if type_ == FHIR:
        assert outputs["datastoreEndpoint"] == (
            f"https://healthlake.{REGION}.amazonaws.com/datastore/{rid}/r4/")
    # Deterministic per URN, different between resources.
    again, _, _ = _semantics(SYNTHETIC).answer(type_, "store", inputs, _urn(type_, "store"), "")
    other, _, _ = _semantics(SYNTHETIC).answer(type_, "other", inputs, _urn(type_, "other"), "")
    assert again == rid != other


@pytest.mark.parametrize("type_,inputs,arn", [(DICOM, DICOM_INPUTS, DICOM_ARN),
                                              (FHIR, FHIR_INPUTS, FHIR_ARN)])
def test_a_new_stack_leaves_the_id_and_computed_outputs_unknown(type_, inputs, arn):
    rid, outputs, generated = _semantics(NEW_STACK).answer(
        type_, "store", inputs, _urn(type_, "store"), "")
    assert rid == ""  # the engine's unknown id for a create
    # Computed outputs are not returned (the SDK resolves them unknown in a preview)...
    for computed in ("datastoreId", "datastoreArn", "datastoreEndpoint", "datastoreStatus"):
        assert computed not in outputs
    # ...the inputs are echoed...
    assert outputs["datastoreName"] == inputs["datastoreName"]
    # ...and the identifiers the cloud will give it only serve to trace values back to it.
    assert any(arn.match(v) for v in generated)


def test_a_new_stack_marks_the_computed_parts_of_given_objects_unknown():
    _, outputs, _ = _semantics(NEW_STACK).answer(FHIR, "c", FHIR_INPUTS, _urn(FHIR, "c"), "")
    idp = outputs["identityProviderConfiguration"]
    assert idp["authorizationStrategy"] == "AWS_AUTH"
    # Not set by the program, so the provider's answer is unknown, never a made-up value.
    assert idp["idpLambdaArn"] == rpc.UNKNOWN
    assert outputs["sseConfiguration"] == FHIR_INPUTS["sseConfiguration"]


class _Engine(pulumi.runtime.Mocks):
    def __init__(self, mode: str):
        self.semantics = _semantics(mode)

    def new_resource(self, args):
        rid, outputs, _ = self.semantics.answer(
            args.typ, args.name, args.inputs, _urn(args.typ, args.name), args.provider or "")
        return rid, outputs

    def call(self, args):
        return {}


@pytest.mark.parametrize("mode,known", [(NEW_STACK, False), (SYNTHETIC, True)])
def test_the_program_sees_the_datastore_arn_only_when_it_exists(mode, known):
    pulumi.runtime.set_mocks(_Engine(mode), project="p", stack="s", preview=True)
    seen = {}

    @pulumi.runtime.test
    def program():
        store = aws_native.healthimaging.Datastore(
            "imaging", datastore_name="p-imaging", kms_key_arn="arn:aws:kms:eu-central-1:1:key/k")

        async def look():
            seen["known"] = await store.datastore_arn.is_known()
            seen["arn"] = await store.datastore_arn.future()

        return look()

    program()
    assert seen["known"] is known
    if known:
        assert DICOM_ARN.match(seen["arn"])
