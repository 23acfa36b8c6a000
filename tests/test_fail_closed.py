"""Fail closed for real (issue 16): every injected fault ends blocked with a reason that names
its cause, every malformed input is one clear line, no traceback, no secret, no bypass.

Most faults are injected in-process through `medinfra.cli.main` (the console script's entry
point: same parsing, same exit codes, same streams) or `policies.gate.evaluate`, so the table
stays fast; a few run as a real subprocess to show nothing differs there.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import time
from pathlib import Path

import pytest
from medinfra.policies import gate as gate_module
from medinfra.policies import rules as rules_module
from medinfra.policies.checkov_bridge.runner import Scan
from medinfra.policies.engines import EmbeddedEngine, redact_url
from medinfra.policies.gate import GateOptions, evaluate
from medinfra.policies.inventory_schema import INVENTORY_SCHEMA, inventory_problems
from medinfra.policies.rules import RULES_DIR

import medinfra
from medinfra import analyzer_client, pack_process, report_files
from medinfra import cli as cli_module
from medinfra.analyzer_client import AnalyzerError, analyze_over_protocol
from tests.conftest import REPO, run_cli
from tests.opa_standin import serve
from tests.test_gate import BUCKET, NONCOMPLIANT, TODAY

TRACEBACK = "Traceback (most recent call last)"
CANARY = "canary-hunter2-7f3a"
PASSWORD_URL = "http://opauser:{}@127.0.0.1:{}"


class NoCheckov:
    """Checkov answering "nothing failed" at once: for faults that are not about Checkov."""

    def scan(self, resources, selection, timeout_s):
        return Scan()


def _main(capsys, *argv: str) -> tuple[int, str, str]:
    """`medinfra ARGV` in-process: (exit code, stdout, stderr)."""
    try:
        code = cli_module.main(list(argv))
    except SystemExit as exc:  # argparse refusing a flag
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _no_traceback(*texts: str) -> None:
    for text in texts:
        assert TRACEBACK not in text, text


@pytest.fixture
def fast_checkov(monkeypatch):
    """The gate's real Checkov replaced by NoCheckov (for faults elsewhere; Checkov's own
    faults are injected through GateOptions.checkov below)."""
    monkeypatch.setattr(gate_module, "_RealCheckov", NoCheckov)


def _write_inventory(tmp_path: Path, document, name="inventory.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


# -- OPA server faults --------------------------------------------------------------------

OPA_FAULTS = [
    # fault, --gate-timeout, what the reason must say
    ("empty", 30, "'result' is a required property"),
    ("null", 30, "None is not of type 'array'"),
    ("wrong", 30, "bad body"),
    ("500", 30, "HTTP 500"),
    ("garbage", 30, "not JSON (bad body)"),
    ("slow", 5, "(timeout)"),
    ("hang", 5, "(timeout)"),
]


@pytest.mark.parametrize(("fault", "bound", "reason"), OPA_FAULTS, ids=[f[0] for f in OPA_FAULTS])
def test_an_opa_server_misbehaving_blocks_with_a_named_reason(
    tmp_path, capsys, fast_checkov, fault, bound, reason
):
    inventory = _write_inventory(tmp_path, NONCOMPLIANT)
    sarif, markdown = tmp_path / "out.sarif", tmp_path / "out.md"
    with serve(fault=fault, delay=1.5) as (url, port):
        started = time.monotonic()
        code, out, err = _main(
            capsys, "gate", str(inventory), "--direct", "--format", "json",
            "--opa-url", PASSWORD_URL.format(CANARY, port), "--gate-timeout", str(bound),
            "--sarif", str(sarif), "--markdown", str(markdown),
        )
        elapsed = time.monotonic() - started
    assert code == 3, err
    (finding,) = json.loads(out)["findings"]
    assert finding["id"] in ("MED-GATE-ENGINE", "MED-GATE-TIMEOUT")
    assert reason in finding["message"] and reason in err
    assert "http://***@127.0.0.1" in finding["message"]
    assert elapsed < bound + 2, f"the gate ran {elapsed:.1f}s under --gate-timeout {bound}"
    _no_traceback(out, err)
    for path in (sarif, markdown):
        assert CANARY not in path.read_text()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert CANARY not in out + err


def test_an_unreachable_opa_server_is_named_refused(tmp_path, capsys, fast_checkov):
    code, out, err = _main(
        capsys, "gate", str(_write_inventory(tmp_path, NONCOMPLIANT)), "--direct",
        "--opa-url", PASSWORD_URL.format(CANARY, 1), "--gate-timeout", "10",
    )
    assert code == 3 and "connection refused" in err
    assert CANARY not in out + err
    _no_traceback(out, err)


def test_credentials_in_a_url_are_redacted():
    assert redact_url("https://u:p@opa.example:8181/v1?token=abc&x=1") == (
        "https://***@opa.example:8181/v1?token=***&x=***"
    )
    assert "p@" not in redact_url("http://u:p@[::1]:8181")


# -- Rego engine and rule faults --------------------------------------------------------------


def _options(tmp_path, **kw) -> GateOptions:
    kw.setdefault("waivers_file", tmp_path / "none.yaml")
    kw.setdefault("checkov", NoCheckov())
    return GateOptions(today=TODAY, **kw)


class _Answering:
    """An engine that answers `answer` (or what `answer(rules)` returns)."""

    name = "fake"

    def __init__(self, answer):
        self.answer = answer

    def evaluate(self, rules, input_json, timeout_s):
        return self.answer(rules) if callable(self.answer) else self.answer


ENGINE_FAULTS = {
    "null": (None, "answered null"),
    "empty": ({}, "evaluated 0 of"),
    "list": ([], "answered list"),
    "one rule missing": (
        lambda rules: {r.id: [] for r in rules[1:]},
        "no answer for MED-",
    ),
    "null deny set": (lambda rules: {r.id: None for r in rules}, "malformed deny set"),
    "finding without urn": (
        lambda rules: {r.id: [{"message": "x"}] for r in rules},
        "'urn' is a required property",
    ),
}


@pytest.mark.parametrize("fault", list(ENGINE_FAULTS))
def test_an_engine_answer_that_is_not_one_deny_set_per_rule_blocks(tmp_path, fault):
    answer, reason = ENGINE_FAULTS[fault]
    result = evaluate(NONCOMPLIANT, _options(tmp_path, engine=_Answering(answer)))
    assert result.exit_code == 3
    (finding,) = result.findings
    assert finding.id == "MED-GATE-ENGINE" and reason in finding.message


def test_the_embedded_engine_reports_how_many_rules_it_evaluated(tmp_path):
    result = evaluate(NONCOMPLIANT, _options(tmp_path, engine=EmbeddedEngine()))
    assert result.timings["rego_rules_evaluated"] == len(rules_module.load_rules()) >= 40


def _rules_with(tmp_path, name: str, edit) -> Path:
    rules = tmp_path / "rego"
    shutil.copytree(RULES_DIR, rules)
    path = rules / name / f"{name}.rego"
    path.write_text(edit(path.read_text()))
    return rules


def test_a_rule_that_raises_at_evaluation_blocks_naming_it(tmp_path):
    rules = _rules_with(
        tmp_path,
        "store_versioned",
        lambda t: t + '\ndeny contains {"urn": "x", "message": m} if {\n'
        '\tm := sprintf("%d", [to_number("not a number")])\n}\n',
    )
    result = evaluate(NONCOMPLIANT, _options(tmp_path, rules_dir=rules))
    assert result.exit_code == 3
    (finding,) = result.findings
    assert finding.id == "MED-GATE-ENGINE" and "embedded Rego engine" in finding.message


def test_a_rule_that_answers_garbage_blocks(tmp_path):
    rules = _rules_with(tmp_path, "store_versioned", lambda t: t + "\ndeny contains 5 if true\n")
    result = evaluate(NONCOMPLIANT, _options(tmp_path, rules_dir=rules))
    assert result.exit_code == 3 and "malformed deny set for MED-INT-001" in (
        result.findings[0].message
    )


def _metadata_with_impossible_date(text: str) -> str:
    return text.replace("# METADATA\n", "# METADATA\n# reviewed: 2027-02-30\n", 1)


def test_metadata_with_an_impossible_date_blocks_naming_file_and_line(tmp_path):
    rules = _rules_with(tmp_path, "store_versioned", _metadata_with_impossible_date)
    result = evaluate(NONCOMPLIANT, _options(tmp_path, rules_dir=rules))
    assert result.exit_code == 3
    (finding,) = result.findings
    assert finding.id == "MED-GATE-RULES"
    assert "rego/store_versioned/store_versioned.rego, line" in finding.message
    assert "2027-02-30" in finding.message


def test_policies_list_with_an_impossible_metadata_date_is_one_clear_error(
    tmp_path, capsys, monkeypatch
):
    rules = _rules_with(tmp_path, "store_versioned", _metadata_with_impossible_date)
    monkeypatch.setattr(rules_module.load_rules, "__defaults__", (rules,))
    code, out, err = _main(capsys, "policies", "list")
    assert code == 2 and "store_versioned.rego, line" in err and "2027-02-30" in err
    _no_traceback(out, err)


def test_a_waiver_with_an_impossible_date_does_not_apply_and_is_named(tmp_path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - rule: MED-ENC-001\n"
        f"    resource: '{BUCKET}'\n"
        "    reason: migration window for the legacy scanner\n"
        "    approved_by: ciso\n    ticket: SEC-7\n    expires: 2027-02-30\n"
    )
    result = evaluate(NONCOMPLIANT, _options(tmp_path, waivers_file=waivers))
    assert result.exit_code == 1
    (note,) = [f for f in result.findings if f.id == "MED-WAIVER-001"]
    assert "expires" in note.message and "2027-02-30" in note.message
    assert next(f for f in result.findings if f.id == "MED-ENC-001").blocks


def test_a_waiver_file_with_a_duplicate_key_blocks(tmp_path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers: []\nwaivers: []\n")
    result = evaluate(NONCOMPLIANT, _options(tmp_path, waivers_file=waivers))
    assert result.exit_code == 3 and "line 2: duplicate key 'waivers'" in (
        result.findings[0].message
    )


# -- Checkov faults ---------------------------------------------------------------------------


class _BrokenCheckov:
    def __init__(self, how):
        self.how = how

    def scan(self, resources, selection, timeout_s):
        if self.how == "raise":
            raise RuntimeError("simulated Checkov crash")
        if self.how == "hang":
            time.sleep(60)
            return Scan()
        return None


@pytest.mark.parametrize(
    ("how", "code", "reason"),
    [
        ("raise", "MED-GATE-ENGINE", "simulated Checkov crash"),
        ("hang", "MED-GATE-TIMEOUT", "did not finish within"),
        ("none", "MED-GATE-ENGINE", "Checkov answered NoneType"),
    ],
)
def test_checkov_misbehaving_blocks_with_a_named_reason(tmp_path, how, code, reason):
    started = time.monotonic()
    result = evaluate(NONCOMPLIANT, _options(tmp_path, checkov=_BrokenCheckov(how), timeout_s=5))
    assert time.monotonic() - started < 5 + 1
    assert result.exit_code == 3
    (finding,) = result.findings
    assert finding.id == code and reason in finding.message


def test_a_real_checkov_scan_that_overruns_the_gate_bound_is_abandoned(tmp_path, monkeypatch):
    from medinfra.policies.checkov_bridge import runner

    monkeypatch.setattr(runner, "load_checkov", lambda: time.sleep(30) or 0.0)
    started = time.monotonic()
    with pytest.raises(runner.CheckovTimeout, match="timeout"):
        runner.scan(NONCOMPLIANT["resources"], timeout_s=1)
    assert time.monotonic() - started < 3


# -- Policy pack faults ---------------------------------------------------------------------


def _pack(tmp_path: Path, main: str) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nname: broken\nversion: 0.0.1\n")
    (pack / "__main__.py").write_text(main)
    return pack


PACK_FAULTS = {
    "import error": ("import medinfra_no_such_module\n", "ModuleNotFoundError", "__main__.py:1"),
    "syntax error": ("def broken(:\n    pass\n", "SyntaxError", "__main__.py"),
    "raises": ("\n\nraise RuntimeError('pack is broken')\n", "pack is broken", "__main__.py:3"),
    "hang": (
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(600)\n",
        "(timeout; killed)",
        "",
    ),
}


@pytest.mark.parametrize("fault", list(PACK_FAULTS))
def test_a_broken_policy_pack_blocks_with_its_last_error_line_and_where(
    tmp_path, capsys, monkeypatch, fault
):
    main, reason, where = PACK_FAULTS[fault]
    pack = _pack(tmp_path, main)
    monkeypatch.setattr(analyzer_client, "PACK_DIR", pack)
    monkeypatch.setattr(pack_process, "PACK_DIR", pack)  # where the gate launches it from
    started = time.monotonic()
    code, out, err = _main(
        capsys, "gate", str(_write_inventory(tmp_path, NONCOMPLIANT)), "--gate-timeout", "4"
    )
    assert code == 3 and reason in err and where in err
    assert time.monotonic() - started < 4 + 4  # the bound, plus at most SIGKILL's wait
    _no_traceback(out, err)
    if fault != "hang":
        log = err.split("full log: ")[1].split(")")[0]
        assert TRACEBACK in Path(log).read_text()  # the whole story is in the log file
        assert stat.S_IMODE(Path(log).stat().st_mode) == 0o600


def test_an_analyzer_module_that_cannot_import_blocks_naming_it(tmp_path, capsys, monkeypatch):
    monkeypatch.delattr(medinfra, "analyzer_client", raising=False)
    monkeypatch.setitem(sys.modules, "medinfra.analyzer_client", None)
    code, out, err = _main(capsys, "gate", str(_write_inventory(tmp_path, NONCOMPLIANT)))
    assert code == 3 and "the policy pack cannot be loaded: ModuleNotFoundError" in err
    assert "full traceback: " in err
    _no_traceback(out, err)


def test_an_unexpected_error_is_one_line_and_a_log_file(tmp_path, capsys, monkeypatch):
    def explode(args):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(cli_module, "_gate", explode)
    code, out, err = _main(capsys, "gate", str(_write_inventory(tmp_path, NONCOMPLIANT)))
    assert code == 3 and "ZeroDivisionError: simulated bug" in err and "tests/" in err
    assert len(err.strip().splitlines()) == 1
    _no_traceback(out, err)


# -- Inventory garbage ----------------------------------------------------------------------

def _deep(levels: int):
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


GARBAGE = {
    "null resource": ({"resources": [None]}, "/resources/0: None is not of type 'object'"),
    "scalars": ({"resources": [1, "a", []]}, "1 is not of type 'object'"),
    "not a list": ({"resources": {}}, "is not of type 'array'"),
    "no resources": ({"stack": "dev"}, "'resources' is a required property"),
    "top-level list": ([], "is not of type 'object'"),
    "urn not a string": (
        {"resources": [{"urn": 5, "type": "t", "name": "n", "props": {}}]},
        "/resources/0/urn",
    ),
    "unknown key": (
        {"resources": [], "resourcez": []},
        "Additional properties are not allowed",
    ),
    "duplicate urn": (
        {"resources": [NONCOMPLIANT["resources"][0]] * 2},
        "is listed twice",
    ),
    "deep": (
        {"resources": [{**NONCOMPLIANT["resources"][0], "props": {"a": _deep(500)}}]},
        "nested deeper than",
    ),
}


@pytest.mark.parametrize("kind", list(GARBAGE))
def test_inventory_garbage_is_refused_never_skipped(tmp_path, capsys, kind):
    document, reason = GARBAGE[kind]
    code, out, err = _main(capsys, "gate", str(_write_inventory(tmp_path, document)))
    assert code == 2 and reason in err and "inventory.json" in err
    assert len(err.strip().splitlines()) == 1
    _no_traceback(out, err)
    # The gate itself and the protocol client refuse it too, each with its own error.
    assert evaluate(document, _options(tmp_path)).findings[0].id == "MED-GATE-INPUT"
    with pytest.raises(AnalyzerError, match="malformed"):
        analyze_over_protocol(document, timeout=5)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"resources": [], "resources": []}', "duplicate key 'resources'"),
        ('{"resources": [NaN]}', "NaN is not JSON"),
        ('{"resources": [\n', "line 2: not JSON"),
        ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ],
)
def test_an_inventory_file_that_is_not_strict_json_is_refused(tmp_path, capsys, text, reason):
    code, out, err = _main(capsys, "gate", str(_write_inventory(tmp_path, text)))
    assert code == 2 and reason in err
    _no_traceback(out, err)


def test_the_published_inventory_schema_is_the_one_the_gate_checks():
    published = json.loads((REPO / "docs" / "inventory.schema.json").read_text())
    fix = "run: medinfra inventory-schema --out docs/inventory.schema.json"
    assert published == INVENTORY_SCHEMA, fix


def test_every_planned_reference_inventory_matches_the_published_schema(all_stacks):
    for path in sorted(all_stacks.inventories.glob("*.json")):
        assert inventory_problems(json.loads(path.read_text())) == [], path.name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_gate_allows_a_compliant_inventory_and_writes_private_reports(
    tmp_path, capsys, fast_checkov
):
    inventory = {**NONCOMPLIANT, "resources": []}
    markdown = tmp_path / "summary.md"
    code, out, err = _main(
        capsys, "gate", str(_write_inventory(tmp_path, inventory)), "--direct",
        "--markdown", str(markdown),
    )
    assert code == 0, err
    assert "Decision: ALLOW" in out
    assert stat.S_IMODE(markdown.stat().st_mode) == 0o600


def test_gate_blocks_a_noncompliant_inventory_through_the_policy_pack(tmp_path):
    result = run_cli("gate", str(_write_inventory(tmp_path, NONCOMPLIANT)), "--format", "json")
    assert result.code == 1, result.stderr
    assert "MED-ENC-001" in {f["id"] for f in result.json()["findings"]}
    _no_traceback(result.stdout, result.stderr)


# -- Flags ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "0", "-1", "abc", "1e300", ""])
@pytest.mark.parametrize("flag", ["--timeout", "--gate-timeout"])
def test_a_duration_flag_that_is_not_a_sane_number_of_seconds_exits_2(capsys, flag, value):
    code, out, err = _main(capsys, "preview", "--stack", "aws-dev", f"{flag}={value}")
    assert code == 2 and f"argument {flag}" in err and "> 0 and <= 86400" in err
    _no_traceback(out, err)


# -- Stack files ----------------------------------------------------------------------------


@pytest.fixture
def stack_project(tmp_path):
    """A minimal project; `write(bytes)` makes its stack `s` and returns the project dir."""
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("")

    def write(data: bytes) -> Path:
        (tmp_path / "Pulumi.s.yaml").write_bytes(data)
        return tmp_path

    return write


_BOMB = b"a: &a [x,x,x,x,x,x,x,x,x]\n" + b"".join(
    f"l{i}: &l{i} [{','.join(['*' + ('a' if i == 0 else f'l{i - 1}')] * 9)}]\n".encode()
    for i in range(9)
)
STACK_FILES = {
    "duplicate key": (
        b"config:\n  demo:dataClassification: phi\n  demo:dataClassification: public\n",
        3, "duplicate key 'demo:dataClassification' (first at line 2)",
    ),
    "unquoted date": (b"config:\n  demo:start: 2024-01-01\n", 2, "unquoted date"),
    "date in tags": (
        b"config:\n  demo:tags:\n    owner: a\n    created: 2024-01-01\n", 4, "unquoted date"
    ),
    "datetime": (b"config:\n  demo:at: 2024-01-01T10:00:00Z\n", 2, "unquoted date"),
    "impossible date": (b"config:\n  demo:at: 2024-02-30\n", 2, "unquoted date"),
    "binary": (b"config:\n  demo:blob: !!binary aGVsbG8=\n", 2, "!!binary values"),
    "set": (b"config:\n  demo:s: !!set {a, b}\n", 2, "!!set values"),
    "nan": (b"config:\n  demo:n: .nan\n", 2, "not a JSON number"),
    "latin-1": ("config:\n  demo:city: Zürich\n".encode("latin-1"), 2, "not UTF-8"),
    "utf-16": ("config:\n  demo:a: b\n".encode("utf-16"), 1, "not UTF-8"),
    "stray 0xff": (b"config:\n  demo:a: b\n\xff\n", 3, "byte 0xff is not UTF-8"),
    "recursive anchor": (b"config:\n  demo:a: &x [1, *x]\n", 2, "refers to itself"),
    "deep nesting": (b"config:\n  demo:a: " + b"[" * 5000 + b"]" * 5000 + b"\n", 2, "deeper than"),
    "yaml bomb": (_BOMB, 5, "more than 32 aliases"),
    "too big": (b"config:\n  demo:r:\n" + b"    - eu-central-1\n" * 100000, 13799, "larger than"),
    "not yaml": (b"config:\n  demo:a: [1,\n", 3, "not valid YAML"),
    "control character": (b"config:\n  demo:a: \x07\n", 2, "not allowed in YAML"),
}


@pytest.mark.parametrize("kind", list(STACK_FILES))
def test_a_malformed_stack_file_exits_2_in_one_line_naming_file_and_line(
    capsys, stack_project, kind
):
    data, line, reason = STACK_FILES[kind]
    root = stack_project(data)
    started = time.monotonic()
    code, out, err = _main(capsys, "preview", "--dir", str(root), "--stack", "s")
    assert time.monotonic() - started < 5
    assert code == 2, err
    assert f"Pulumi.s.yaml, line {line}: " in err and reason in err
    assert len(err.strip().splitlines()) == 1, err
    _no_traceback(out, err)


@pytest.mark.parametrize(
    "data",
    [
        f"config:\n  demo:password:\n    secure: {CANARY}\n  demo:password: x\n".encode(),
        f"config:\n  demo:password:\n    secure: 2024-01-01\n  demo:x: {CANARY}\n".encode(),
        b"config:\n  demo:password:\n    secure: 2024-01-01\n",
    ],
)
def test_a_stack_file_error_never_shows_a_secure_value(capsys, stack_project, data):
    code, out, err = _main(capsys, "preview", "--dir", str(stack_project(data)), "--stack", "s")
    assert code == 2 and "line" in err
    assert CANARY not in out + err and "2024-01-01" not in err


def test_a_duplicated_classification_is_refused_as_a_subprocess(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.s.yaml").write_bytes(STACK_FILES["duplicate key"][0])
    result = run_cli("preview", "--dir", str(tmp_path), "--stack", "s")
    assert result.code == 2 and "duplicate key 'demo:dataClassification'" in result.stderr
    _no_traceback(result.stdout, result.stderr)


AWS_PROD = (REPO / "stacks" / "Pulumi.aws-prod.yaml").read_text()


@pytest.mark.parametrize(
    ("selection", "key"),
    [
        ('{"checks": ["CKV_AWS_1"]}', "policy.checkov.checks"),
        ('{"skipChecks": ["CKV_AWS_19"]}', "policy.checkov.skipChecks"),
        ('{"frameworks": ["kubernetes"]}', "policy.checkov.frameworks"),
    ],
)
def test_a_phi_stack_cannot_drop_a_control_check_through_any_selector(
    capsys, platform_copy, selection, key
):
    assert "medinfra:dataClassification: phi" in AWS_PROD
    text = AWS_PROD + f"  medinfra:policy: {{\"checkov\": {selection}}}\n"
    root = platform_copy({"x": text})
    code, out, err = _main(capsys, "preview", "--dir", str(root), "--stack", "x")
    assert code == 2 and f"medinfra:{key}" in err and "Pulumi.x.yaml" in err
    _no_traceback(out, err)


def test_report_files_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        report_files.write_text(tmp_path / "r.md", "x")
        report_files.write_json(tmp_path / "r.json", {})
    finally:
        os.umask(old)
    for name in ("r.md", "r.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_secret_canaries_reach_no_output_and_no_file(tmp_path):
    """`secure:` config, `Output.secret` and OPA_URL credentials, through a whole preview whose
    OPA server fails (so the URL is in the reason): stdout, stderr and every file written."""
    from tests.conftest import PROGRAMS

    canaries = ["SECURE-CANARY", "NESTED-SECURE-CANARY", "OUTPUT-SECRET-CANARY", CANARY]
    files = {n: tmp_path / n for n in ("inventory.json", "out.sarif", "out.md")}
    with serve(fault="500") as (_url, port):
        result = run_cli(
            "preview", "--dir", str(PROGRAMS / "secrets"), "--stack", "test", "--direct",
            "--format", "json", "--opa-url", PASSWORD_URL.format(CANARY, port),
            "--inventory", str(files["inventory.json"]), "--sarif", str(files["out.sarif"]),
            "--markdown", str(files["out.md"]),
        )
    assert result.code == 3 and "answered HTTP 500" in result.stderr
    assert "http://***@127.0.0.1" in result.stdout
    _no_traceback(result.stdout, result.stderr)
    for path in files.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    for text in (result.stdout, result.stderr, *(p.read_text() for p in files.values())):
        for canary in canaries:
            assert canary not in text
