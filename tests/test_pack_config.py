"""The organisation's policy-pack config (`--policy-pack-config FILE`, the file `pulumi preview
--policy-pack-config` reads): validated like a config file (exit 2 naming the key), reconciled
as the CLI reconciles it, handed to the pack through Configure, and judged by the gate."""

from __future__ import annotations

import copy
import json

import pytest
from google.protobuf import struct_pb2
from medinfra.policies.gate import GateOptions, evaluate
from medinfra.policies.pack_config import PolicyInfo, reconcile
from medinfra.policies.settings import effective, gcp_label, glob_regex
from pulumi.runtime.proto import analyzer_pb2

from medinfra import pack_config_cli
from medinfra.analyzer_client import analyze_over_protocol, analyze_stack_request
from medinfra.cli import main
from tests.test_analyzer_protocol import (
    PROVIDER_URN,
    compliant_inventory,
    pack_servicer,  # noqa: F401 - fixture
)
from tests.test_gate import BUCKET, TAGS, NoCheckov, _inventory, _resource, _waivers

PROVIDER = "urn:pulumi:dev::demo::pulumi:providers:aws::default"


def _gate(inventory, tmp_path, document=None):
    options = GateOptions(waivers_file=_waivers(tmp_path), checkov=NoCheckov(),
                          pack_config=pack_config_cli.reconciled(document))
    return evaluate(inventory, options)


def _placed(region="us-east-1", **config):
    inv = _inventory(_resource(PROVIDER, "pulumi:providers:aws", {"region": region}),
                     _resource(BUCKET, "aws:s3/bucket:Bucket", {"tags": TAGS, "region": region}))
    inv["config"] = {"dataClassification": "phi", **config}
    return inv


def _ids(result, rule):
    return sorted(f.urn for f in result.findings if f.id == rule)


def test_reconcile_applies_defaults_then_all_then_each_policy_as_the_cli_does():
    policies = [PolicyInfo("A", "mandatory"), PolicyInfo("B", "advisory"),
                PolicyInfo("S", "mandatory", {"x": {"type": "integer", "default": 3}})]
    got = reconcile(policies, {"all": "advisory", "A": {"enforcementLevel": "disabled"},
                               "S": {"y": 1}})
    assert got["A"] == {"enforcementLevel": "disabled", "properties": {}}
    assert got["B"]["enforcementLevel"] == "advisory"
    assert got["S"] == {"enforcementLevel": "advisory", "properties": {"x": 3, "y": 1}}
    assert got["all"]["enforcementLevel"] == "advisory"  # the CLI passes `all` on too


def test_without_allowed_regions_there_is_one_finding_saying_how_to_set_them(tmp_path):
    result = _gate(_placed(), tmp_path)
    found = [f for f in result.findings if f.id == "MED-RES-001"]
    assert len(found) == 1 and found[0].enforcement == "mandatory"
    assert "--policy-pack-config" in found[0].message
    assert "medinfra:allowedRegions" in found[0].message


def test_organisation_regions_apply_and_a_stack_may_only_narrow_them(tmp_path):
    org = {"medinfra-settings": {"allowedRegions": ["us-east-1"]}}
    assert _ids(_gate(_placed(), tmp_path, org), "MED-RES-001") == []
    widened = _gate(_placed(allowedRegions=["us-east-1", "eu-west-1"]), tmp_path, org)
    assert _ids(widened, "MED-RES-001") == []
    assert any("eu-west-1 ignored" in f.message for f in widened.findings
               if f.id == "MED-POLICY-001")
    outside = _gate(_placed("eu-west-1", allowedRegions=["eu-west-1"]), tmp_path, org)
    assert _ids(outside, "MED-RES-001") == [BUCKET, PROVIDER]


def test_a_phi_stack_keeps_a_mandatory_rule_mandatory_and_says_so(tmp_path):
    org = {"medinfra-settings": {"allowedRegions": ["us-east-1"]}, "MED-ENC-001": "disabled"}
    result = _gate(_placed(), tmp_path, org)
    assert {f.enforcement for f in result.findings if f.id == "MED-ENC-001"} == {"mandatory"}
    assert any("MED-ENC-001 (disabled) ignored" in f.message for f in result.findings)
    assert result.decision == "block"


def test_a_non_phi_stack_may_lower_a_rule_and_every_report_shows_it(tmp_path):
    inv = _placed(dataClassification="public")
    org = {"medinfra-settings": {"allowedRegions": ["us-east-1"]},
           "MED-ENC-001": "advisory", "MED-NET-002": "disabled"}
    result = _gate(inv, tmp_path, org)
    assert {f.enforcement for f in result.findings if f.id == "MED-ENC-001"} == {"advisory"}
    assert not [f for f in result.findings if f.id == "MED-NET-002"]
    lowered = {f.message for f in result.findings if f.id == "MED-POLICY-003"}
    assert any("MED-ENC-001" in m and "advisory" in m for m in lowered)
    assert any("MED-NET-002" in m and "disabled" in m for m in lowered)


def test_a_stack_cannot_lower_what_the_organisation_raised(tmp_path):
    inv = _placed(dataClassification="public", policy={"enforcement": {"MED-TAG-001": "advisory"}})
    inv["resources"][1]["props"]["tags"] = {}
    org = {"medinfra-settings": {"allowedRegions": ["us-east-1"]}, "MED-TAG-001": "mandatory"}
    result = _gate(inv, tmp_path, org)
    assert {f.enforcement for f in result.findings if f.id == "MED-TAG-001"} == {"mandatory"}
    assert any("may only raise" in f.message for f in result.findings)


def test_settings_layering_tags_retention_and_globs():
    org = {"requiredTags": {"costCenter": [], "dataClass": ["phi", "public"]},
           "logRetentionDays": 90, "trustedKeys": ["arn:aws:kms:*:111122223333:key/*"]}
    config = {"policy": {"minLogRetentionDays": 30, "requiredTags": {"dataClass": ["phi"]}}}
    settings, notes = effective(config, org)
    assert settings["requiredTags"]["tags"] == {"costCenter": [], "dataClass": ["phi"]}
    assert settings["requiredTags"]["labels"] == {"cost_center": [], "data_class": ["phi"]}
    assert settings["logRetentionDays"] == 90  # the stack may only raise it
    assert any("minLogRetentionDays: 30 ignored" in n.message for n in notes)
    assert effective({"policy": {"minLogRetentionDays": 30}}, {})[0]["logRetentionDays"] == 30
    assert gcp_label("costCenter") == "cost_center" and gcp_label("Data Owner") == "data-_owner"
    pattern = glob_regex("arn:aws:kms:*:111122223333:key/*")
    import re

    assert re.match(pattern, "arn:aws:kms:eu-west-1:111122223333:key/abc")
    assert not re.match(pattern, "arn:aws:kms:eu-west-1:111122223333:key/abc/x")
    assert not re.match(pattern, "arn:aws:kms:eu-west-1:999911112222:key/abc")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ('{"MED-NOPE-001": "advisory"}', "MED-NOPE-001: not a policy of the medinfra pack"),
        ('{"MED-TAG-001": "loud"}', 'MED-TAG-001.enforcementLevel: got "loud"; expected one of'),
        ('{"all": "remediate"}', "do not remediate"),
        ('{"medinfra-gate": "advisory"}', "medinfra-gate: cannot be configured"),
        ('{"medinfra-settings": {"allowedRegion": ["x"]}}',
         "medinfra-settings.allowedRegion: unknown key; allowed: allowedRegions"),
        ('{"medinfra-settings": {"logRetentionDays": "400"}}',
         'logRetentionDays: got "400"; expected an integer'),
        ('{"medinfra-settings": {"trustedKeys": ["arn:*"]}}', "at least 8 literal characters"),
        ('{"medinfra-settings": {"trustedRegistries": ["https://r.example/org"]}}',
         "expected an image prefix"),
        ('{"all": ', "line 1: not JSON"),
        ("[1]", "got a JSON list"),
        ('{"all": "advisory", "all": "mandatory"}', "duplicate key 'all'"),
    ],
)
def test_a_bad_config_file_is_exit_2_naming_the_key(tmp_path, capsys, document, expected):
    path = tmp_path / "org.json"
    path.write_text(document)
    inventory = tmp_path / "inv.json"
    inventory.write_text(json.dumps(_placed()))
    assert main(["gate", str(inventory), "--direct", "--policy-pack-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_an_unreadable_config_file_is_exit_2(tmp_path, capsys):
    inventory = tmp_path / "inv.json"
    inventory.write_text(json.dumps(_placed()))
    missing = tmp_path / "none.json"
    assert main(["gate", str(inventory), "--policy-pack-config", str(missing)]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_the_config_reaches_the_pack_through_configure_and_changes_its_decision():
    inventory = compliant_inventory()
    del inventory["config"]["allowedRegions"]
    org = {"medinfra-settings": {"allowedRegions": ["eu-west-1"]}}
    outside = analyze_over_protocol(inventory, timeout=90, pack_config=org)
    assert [f["urn"] for f in outside if f["id"] == "MED-RES-001"] == [PROVIDER_URN]
    direct = _gate_dicts(inventory, org)
    assert outside == direct
    org["medinfra-settings"]["allowedRegions"] = ["us-east-1"]
    inside = analyze_over_protocol(inventory, timeout=90, pack_config=org)
    assert not [f for f in inside if f["id"] == "MED-RES-001"]
    assert not [f for f in inside if f["enforcement"] == "mandatory" and f["waiver"] is None]


def _gate_dicts(inventory, document):
    options = GateOptions(pack_config=pack_config_cli.reconciled(document))
    return [f.to_dict() for f in evaluate(inventory, options).findings]


def _configure(servicer, entries):
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, (level, props) in entries.items():
        config = request.policyConfig[name]
        config.enforcementLevel = level
        struct = struct_pb2.Struct()
        struct.update(props)
        config.properties.CopyFrom(struct)
    servicer.Configure(request, None)


def test_the_pack_refuses_what_the_cli_lets_through_and_all_cannot_silence_it(pack_servicer):  # noqa: F811
    servicer = pack_servicer()
    inventory = copy.deepcopy(compliant_inventory())
    _configure(servicer, {
        "all": (analyzer_pb2.DISABLED, {}),
        "medinfra-gate": (analyzer_pb2.DISABLED, {}),
        "medinfra-settings": (analyzer_pb2.DISABLED, {"allowedRegionz": ["us-east-1"]}),
    })
    response = servicer.AnalyzeStack(analyze_stack_request(inventory), None)
    reported = {(d.policyName, d.enforcementLevel) for d in response.diagnostics}
    assert ("medinfra-settings", analyzer_pb2.MANDATORY) in reported
    assert any("allowedRegionz: unknown key" in d.message for d in response.diagnostics)


def test_the_example_organisation_config_is_accepted_and_trusts_what_it_names():
    from pathlib import Path

    path = Path(__file__).parent.parent / "examples" / "org-policy-config"
    document = pack_config_cli.read(path / "policy-pack-config.json")
    org = pack_config_cli.reconciled(document)["medinfra-settings"]["properties"]
    settings, _ = effective({}, org)
    import re

    assert any(re.match(p, "arn:aws:iam::111122223333:role/platform/models/reader")
               for p in settings["trustedIdentities"])
    assert not any(re.match(p, "arn:aws:iam::111122223333:role/admin")
                   for p in settings["trustedIdentities"])
    labels = settings["requiredTags"]["labels"]
    assert labels["data-classification"] == ["phi", "deidentified", "public"]
