"""The AWS DICOM/FHIR stores (HealthImaging, HealthLake), their CloudTrail Lake audit and the
model's read grant, asserted per resource from the reference stacks' synthetic Inventories."""

from __future__ import annotations

import json

import pulumi
import pytest
from medinfra.components.aws.health_audit import event_selectors
from medinfra.components.aws.health_store import (
    IMAGE_SET_ACTIONS,
    STORE_TAG,
    health_reader_policy,
)
from medinfra.components.aws.identity import WorkloadIdentity, WorkloadIdentityArgs

from tests.health_config import REQUIRED_TAGS, health_config

KEY = "aws:kms/key:Key"
DICOM = "aws-native:healthimaging:Datastore"
FHIR = "aws-native:healthlake:FhirDatastore"
TYPES = {"dicom": DICOM, "fhir": FHIR}
EVENT_STORE = "aws:cloudtrail/eventDataStore:EventDataStore"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
PREFIX = "medinfra-aws-prod"
#: The actions a DICOM or FHIR read grant may hold: reads and searches, nothing that writes,
#: deletes, imports, exports, tags or manages a datastore.
READ_ACTIONS = {
    "medical-imaging:GetImageFrame", "medical-imaging:GetImageSet",
    "medical-imaging:GetImageSetMetadata", "medical-imaging:SearchImageSets",
    "healthlake:GetCapabilities", "healthlake:ReadResource",
    "healthlake:SearchWithGet", "healthlake:SearchWithPost",
}


def _stores(inv) -> list[dict]:
    return inv.of_type(DICOM) + inv.of_type(FHIR)


def _tags(store: dict) -> dict[str, str]:
    tags = store["props"]["tags"]
    return tags if isinstance(tags, dict) else {t["key"]: t["value"] for t in tags}


def _store_key(inv, store: dict) -> dict:
    path = ("/kmsKeyArn" if store["type"] == DICOM
            else "/sseConfiguration/kmsEncryptionConfig/kmsKeyId")
    return inv.attributed(store, path)


def test_the_prod_stack_plans_exactly_its_configured_stores(prod):
    expected = health_config("aws-prod").stores
    assert expected, "aws-prod configures no DICOM/FHIR store"
    planned = {s["name"]: s["type"] for s in _stores(prod)}
    assert planned == {name: TYPES[kind] for name, kind in expected.items()}
    for store in _stores(prod):
        assert store["props"]["datastoreName"] == f"{PREFIX}-{store['name']}"


def test_each_store_is_encrypted_with_the_plans_data_key(prod):
    (data_key,) = [k for k in prod.of_type(KEY) if k["name"] == "keys-data"]
    for store in _stores(prod):
        key = _store_key(prod, store)
        assert key["urn"] == data_key["urn"], store["name"]
        assert key["props"]["enableKeyRotation"] is True
    for store in prod.of_type(FHIR):
        sse = store["props"]["sseConfiguration"]["kmsEncryptionConfig"]
        assert sse["cmkType"] == "CUSTOMER_MANAGED_KMS_KEY", store["name"]


def test_fhir_stores_answer_only_iam_signed_requests(prod):
    for store in prod.of_type(FHIR):
        idp = store["props"]["identityProviderConfiguration"]
        # AWS_AUTH: SigV4 with IAM only, no SMART on FHIR identity provider or its Lambda.
        assert idp == {"authorizationStrategy": "AWS_AUTH"}, store["name"]
        assert store["props"]["datastoreTypeVersion"] == "R4"
        assert "preloadDataConfig" not in store["props"]


def test_each_store_is_created_in_the_stacks_region(prod):
    config = health_config("aws-prod")
    assert config.region in config.allowed_regions
    for store in _stores(prod):
        (provider,) = [p for p in prod.of_type("pulumi:providers:aws-native")
                       if p["name"] == store["provider"]]
        assert provider["props"]["region"] == config.region, store["name"]


def test_each_store_carries_the_stack_tags_and_its_store_tag(prod):
    for store in _stores(prod):
        tags = _tags(store)
        assert REQUIRED_TAGS <= set(tags), (store["name"], REQUIRED_TAGS - set(tags))
        assert tags["dataClassification"] == "phi"
        assert tags[STORE_TAG] == f"{PREFIX}/{store['name']}"


def test_every_store_kind_is_audited_in_a_cmk_encrypted_protected_event_data_store(prod):
    (audit,) = prod.of_type(EVENT_STORE)
    props = audit["props"]
    assert prod.attributed(audit, "/kmsKeyId")["name"] == "keys-logs"
    assert props["retentionPeriod"] >= 2190  # HIPAA 164.316(b)(2): six years
    assert props["terminationProtectionEnabled"] is True
    assert props["multiRegionEnabled"] is False and props["organizationEnabled"] is False
    # Each selector as its conditions: equals only, nothing narrowing it to reads or writes.
    selected = set()
    for selector in props["advancedEventSelectors"]:
        for f in selector["fieldSelectors"]:
            assert set(f) <= {"field", "equals"}, f
        fields = selector["fieldSelectors"]
        selected.add(frozenset((f["field"], tuple(f["equals"])) for f in fields))
    kinds = set(health_config("aws-prod").stores.values())
    assert kinds == {"dicom", "fhir"}
    expected = {
        frozenset({("eventCategory", (category,)), (field, (value,))})
        for kind in kinds for category, field, value in EVENT_SELECTION[kind]
    }
    assert selected == expected


#: What the event data store must select to record every read and write of a store kind, one
#: advanced event selector each: HealthImaging's data events on data stores and image sets
#: (CloudTrail's data-event types); HealthLake's API calls, FHIR reads and searches included,
#: which CloudTrail logs as management events (it has no HealthLake data-event type).
EVENT_SELECTION = {
    "dicom": [("Data", "resources.type", "AWS::MedicalImaging::Datastore"),
              ("Data", "resources.type", "AWS::MedicalImaging::Imageset")],
    "fhir": [("Management", "eventSource", "healthlake.amazonaws.com")],
}


@pytest.mark.parametrize("kinds", [("fhir",), ("dicom",), ("fhir", "dicom", "fhir")])
def test_the_audit_selects_exactly_the_kinds_it_is_given_once_each(kinds):
    selectors = event_selectors(kinds)
    names = [s["name"] for s in selectors]
    assert len(names) == len(set(names))
    got = {tuple((f["field"], f["equals"][0]) for f in s["field_selectors"]) for s in selectors}
    assert len(got) == len(selectors)
    assert got == {
        (("eventCategory", category), (field, value))
        for kind in set(kinds) for category, field, value in EVENT_SELECTION[kind]
    }


def test_logs_key_lets_cloudtrail_encrypt_the_audit_events(prod):
    (key,) = [k for k in prod.of_type(KEY) if k["name"] == "keys-logs"]
    policy = json.dumps(json.loads(key["props"]["policy"]))
    assert "cloudtrail.amazonaws.com" in policy


def _health_policies(inv) -> list[dict]:
    return [
        p for p in inv.of_type(ROLE_POLICY)
        if any(a.split(":")[0] in ("medical-imaging", "healthlake")
               for s in json.loads(p["props"]["policy"])["Statement"]
               for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]]))
    ]


def test_model_reads_exactly_the_stores_its_config_names_and_nothing_else(prod):
    config = health_config("aws-prod")
    policies = _health_policies(prod)
    readers = {m for m, stores in config.reads.items() if stores}
    assert {prod.referenced(p, "/role")["name"] for p in policies} == {
        f"model-{m}" for m in readers
    }
    for policy in policies:
        model = prod.referenced(policy, "/role")["name"].removeprefix("model-")
        document = json.loads(policy["props"]["policy"])
        granted: set[str] = set()
        for statement in document["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = set(statement["Action"])
            assert actions <= READ_ACTIONS, actions - READ_ACTIONS
            resource = statement["Resource"]
            assert isinstance(resource, str) and resource != "*"
            # This account and region only, never another account's or every region's.
            assert f":{config.region}:123456789012:datastore/" in resource, resource
            condition = statement.get("Condition")
            if condition:
                granted |= set(condition["StringEquals"][f"aws:ResourceTag/{STORE_TAG}"])
            else:
                _assert_grants_nothing_alone(statement, document)
        assert granted == {f"{PREFIX}/{s}" for s in config.reads[model]}, model


def _assert_grants_nothing_alone(statement: dict, document: dict) -> None:
    """An unconditioned statement may only allow image sets, for actions that IAM also
    authorizes against the image set's datastore, which a tag-conditioned statement scopes."""
    assert statement["Resource"].endswith(":datastore/*/imageset/*"), statement
    assert set(statement["Action"]) <= set(IMAGE_SET_ACTIONS), statement
    datastore = statement["Resource"].removesuffix("/imageset/*")
    (scoped,) = [s for s in document["Statement"]
                 if s["Resource"] == datastore and s.get("Condition")]
    assert set(statement["Action"]) <= set(scoped["Action"])


def test_a_model_naming_no_store_gets_no_health_grant(dev):
    config = health_config("aws-dev")
    assert not config.stores and all(not s for s in config.reads.values())
    assert _health_policies(dev) == []
    assert _stores(dev) == [] and dev.of_type(EVENT_STORE) == []
    assert dev.of_type("pulumi:providers:aws-native") == []


def test_reader_policy_names_only_the_kinds_and_stores_it_is_given():
    policy = health_reader_policy("aws", "eu-central-1", "111122223333", [("fhir", "p/clinical")])
    text = json.dumps(policy)
    assert "medical-imaging" not in text
    assert "p/clinical" in text and "arn:aws:healthlake:eu-central-1:111122223333:" in text
    assert health_reader_policy("aws", "eu-central-1", "111122223333", [])["Statement"] == []


def _build(fn) -> None:
    """Run `fn` under the mock runtime and wait until every resource it declares is registered."""
    pulumi.runtime.test(fn)()


@pytest.mark.parametrize("health_stores,statements", [
    ((), None),
    ((("dicom", "p/imaging"),), {"medical-imaging"}),
    ((("fhir", "p/clinical"),), {"healthlake"}),
])
def test_workload_identity_adds_a_health_policy_only_for_the_stores_it_names(
    mocks, health_stores, statements
):
    _build(lambda: WorkloadIdentity("model-m", WorkloadIdentityArgs(
        cluster_name="c", namespace="models", service_account="m",
        bucket_arn="arn:aws:s3:::b", prefix="m/1", key_alias="alias/p-data",
        health_stores=health_stores)))
    policies = [r for r in mocks.created if r.typ == ROLE_POLICY and r.name.endswith("-health")]
    if statements is None:
        assert policies == []
        return
    (policy,) = policies
    document = json.loads(policy.inputs["policy"])
    services = {a.split(":")[0] for s in document["Statement"] for a in s["Action"]}
    assert services == statements
    assert json.dumps(document).count(health_stores[0][1]) == 1
