"""Property tests for issue 16: whatever stack file, flag or Inventory a user (or an attacker)
hands the CLI, it exits 0, 1, 2 or 3, prints no traceback, does not hang and echoes no secret.

Each property runs a few hundred examples in the default suite and thousands in the tests marked
`slow` (deselected by default; run them with `pytest -m slow`).
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from medinfra.policies import gate as gate_module

from medinfra import cli as cli_module
from medinfra.project import InputError, load_project, load_stack_config
from tests.test_fail_closed import CANARY, TRACEBACK, NoCheckov
from tests.test_gate import NONCOMPLIANT

_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_module.main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


# -- stack files ------------------------------------------------------------------------------

_scalar = (
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=12)
    | st.floats(allow_nan=False, allow_infinity=False)
)
_value = st.recursive(
    _scalar,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=12,
)
_config = st.dictionaries(
    st.sampled_from(["demo:a", "demo:tags", "demo:allowedRegions", "demo:policy", "aws:region",
                     "demo:dataClassification", "b", "x:y:z", "demo:password"]),
    _value | st.just({"secure": CANARY}),
    max_size=5,
)
#: Text a careless user or an attacker splices into a stack file.
_SPLICES = [
    "  demo:dataClassification: phi\n  demo:dataClassification: public\n",
    "  demo:start: 2024-01-01\n",
    "  demo:at: 2027-02-30T10:00:00Z\n",
    "  demo:blob: !!binary aGVsbG8=\n",
    "  demo:s: !!set {a, b}\n",
    "  demo:p: !!python/object:os.system x\n",
    "  demo:r: &r [1, *r]\n",
    "  demo:n: .nan\n",
    "  demo:a: " + "[" * 3000 + "]" * 3000 + "\n",
    f"  demo:password:\n    secure: {CANARY}\n",
    f"  demo:password:\n    secure: {CANARY}\n  demo:password: again\n",
    "  demo:password:\n    secure: 2024-01-01\n",
    "\t- tab\n",
    "  a: &a [x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
    "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
    "  e: [*d, *d, *d, *d, *d, *d, *d, *d]\n",
    "  demo:key: {a: 1, a: 2}\n",
    "  ? [complex]\n  : key\n",
    "  1: integer key\n",
]
_BYTES = [b"\xff", b"\xfe\xff", "ü".encode("latin-1"), b"\x00", b"\x07", b"\xef\xbb\xbf"]


@st.composite
def stack_files(draw) -> bytes:
    text = yaml.safe_dump({"config": draw(_config)}, allow_unicode=True)
    for splice in draw(st.lists(st.sampled_from(_SPLICES), max_size=3)):
        if not text.rstrip().endswith("{}"):
            text += splice
    data = text.encode("utf-8")
    for raw in draw(st.lists(st.sampled_from(_BYTES), max_size=2)):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + raw + data[at:]
    if draw(st.booleans()):  # truncated anywhere
        data = data[: draw(st.integers(0, len(data)))]
    return data


def _check_stack_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
        (root / "__main__.py").write_text("")
        (root / "Pulumi.s.yaml").write_bytes(data)
        started = time.monotonic()
        try:
            config = load_stack_config(load_project(root), "s")
        except InputError as exc:
            message = str(exc)
            assert "Pulumi.s.yaml" in message
            assert TRACEBACK not in message and CANARY not in message
        else:
            # Accepted: every value is what the file says, secrets stay placeholders.
            shown = json.dumps(config.project_values("demo"))
            assert CANARY not in shown
        assert time.monotonic() - started < 5


@settings(max_examples=200, **_SETTINGS)
@given(stack_files())
def test_any_stack_file_is_loaded_or_refused_in_one_clear_error(data):
    _check_stack_file(data)


@pytest.mark.slow
@settings(max_examples=3000, **_SETTINGS)
@given(stack_files())
def test_any_stack_file_is_loaded_or_refused_in_one_clear_error_thousands(data):
    _check_stack_file(data)


# -- flags ------------------------------------------------------------------------------------

_durations = (
    st.sampled_from(["nan", "NaN", "inf", "-inf", "1e400", "1e308", "0", "-0", "0.0", "1e-320",
                     "86400", "86400.001", "  5 ", "5s", "0x10", "1_0", "", "½", "٣"])
    | st.floats().map(repr)
    | st.text(max_size=8)
)


def _check_flags(flag: str, value: str) -> None:
    code, out, err = _run(["preview", "--stack", "aws-dev", f"{flag}={value}", "--help-me"])
    # --help-me is unknown: argparse stops there after validating the duration, so nothing runs.
    assert code == 2
    assert TRACEBACK not in out + err
    try:
        args = cli_module._parser().parse_args(["preview", "--stack", "s", f"{flag}={value}"])
    except SystemExit as exc:
        assert exc.code == 2
        return
    seconds = args.timeout if flag == "--timeout" else args.gate_timeout
    assert 0 < seconds <= cli_module.MAX_SECONDS


@settings(max_examples=150, **_SETTINGS)
@given(st.sampled_from(["--timeout", "--gate-timeout"]), _durations)
def test_any_duration_flag_is_a_sane_number_of_seconds_or_exit_2(flag, value):
    with contextlib.redirect_stderr(io.StringIO()):
        _check_flags(flag, value)


@pytest.mark.slow
@settings(max_examples=3000, **_SETTINGS)
@given(st.sampled_from(["--timeout", "--gate-timeout"]), _durations)
def test_any_duration_flag_is_a_sane_number_of_seconds_or_exit_2_thousands(flag, value):
    with contextlib.redirect_stderr(io.StringIO()):
        _check_flags(flag, value)


_urls = st.builds(
    lambda scheme, host, port, rest: f"{scheme}://opa:{CANARY}@{host}{port}{rest}",
    st.sampled_from(["http", "https", "ftp", "", "http:"]),
    st.sampled_from(["127.0.0.1", "", "[::1]", "bad host", "[", "%", "host:"]),
    st.sampled_from([":1", "", ":99999", ":x", ":-1"]),
    st.text(max_size=6),
)


def _check_opa_url(url: str, inventory: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gate_module, "_RealCheckov", NoCheckov)
        code, out, err = _run(
            ["gate", str(inventory), "--direct", "--opa-url", url, "--gate-timeout", "10"]
        )
    assert code == 3
    assert TRACEBACK not in out + err
    assert CANARY not in out + err


@settings(max_examples=40, **_SETTINGS)
@given(_urls)
def test_an_opa_url_with_credentials_never_echoes_them(url):
    with tempfile.TemporaryDirectory() as tmp:
        inventory = Path(tmp) / "inventory.json"
        inventory.write_text(json.dumps({**NONCOMPLIANT, "resources": []}))
        _check_opa_url(url, inventory)


# -- Inventories ------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
    max_leaves=10,
)
_TYPES = ["aws:s3/bucket:Bucket", "aws:eks/cluster:Cluster", "aws:kms/key:Key",
          "azure-native:storage:StorageAccount", "gcp:storage/bucket:Bucket",
          "kubernetes:apps/v1:Deployment", "pulumi:providers:aws", "x"]


@st.composite
def resources(draw, index: int) -> dict:
    type_ = draw(st.sampled_from(_TYPES))
    resource = {
        "urn": f"urn:pulumi:dev::demo::{type_}::r{index}",
        "type": type_,
        "name": f"r{index}",
        "props": draw(st.dictionaries(
            st.sampled_from(["tags", "acl", "vpcConfig", "policy", "location", "region", "x"]),
            _json, max_size=4,
        )),
    }
    for key, strategy in (
        ("provider", st.none() | st.sampled_from(["aws", "azure-native", "gcp", "kubernetes"])),
        ("parent", st.none() | st.just("urn:pulumi:dev::demo::x::p")),
        ("dependencies", st.lists(st.text(max_size=5), max_size=2)),
        ("unknowns", st.lists(st.sampled_from(["/tags", "/acl", "/x/0"]), max_size=2)),
        ("secrets", st.lists(st.sampled_from(["/policy", "/x"]), max_size=1)),
        ("references", st.dictionaries(st.sampled_from(["/policy", "/tags/owner"]),
                                       st.text(max_size=5), max_size=1)),
    ):
        if draw(st.booleans()):
            resource[key] = draw(strategy)
    if draw(st.integers(0, 9)) == 0:  # now and then, one field of the wrong shape
        resource[draw(st.sampled_from(list(resource)))] = draw(_json)
    return resource


@st.composite
def inventories(draw):
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(_json)
    if kind == 1:
        return {"resources": draw(st.lists(_json, max_size=4))}
    count = draw(st.integers(0, 4))
    config = {
        "dataClassification": draw(st.sampled_from(["phi", "public", "deidentified", 5])),
        "allowedRegions": draw(st.lists(st.sampled_from(["us-east-1", "eu-west-1"]), max_size=2)),
    }
    if draw(st.booleans()):
        config["policy"] = {"checkov": draw(st.dictionaries(
            st.sampled_from(["checks", "skipChecks", "frameworks"]),
            st.lists(st.sampled_from(["CKV_AWS_19", "CKV_AWS_1", "CKV_*", "x"]), max_size=2),
            max_size=2,
        ))}
    return {
        "project": "demo",
        "stack": "dev",
        "config": config,
        "resources": [draw(resources(i)) for i in range(count)],
    }


def _check_inventory(document) -> None:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(gate_module, "_RealCheckov", NoCheckov)  # Checkov's own faults: see the table
        path = Path(tmp) / "inventory.json"
        path.write_text(json.dumps(document))
        started = time.monotonic()
        code, out, err = _run(
            ["gate", str(path), "--direct", "--format", "json", "--gate-timeout", "20"]
        )
        assert time.monotonic() - started < 25
    assert code in (0, 1, 2, 3), err
    assert TRACEBACK not in out + err
    if code == 2:
        assert "inventory.json" in err and len(err.strip().splitlines()) == 1
    else:
        report = json.loads(out)
        blocking = [f for f in report["findings"] if f["enforcement"] == "mandatory"
                    and f["waiver"] is None]
        assert (code == 0) == (not blocking)


@settings(max_examples=80, **_SETTINGS)
@given(inventories())
def test_any_inventory_is_judged_or_refused_never_crashes(document):
    _check_inventory(document)


@pytest.mark.slow
@settings(max_examples=2000, **_SETTINGS)
@given(inventories())
def test_any_inventory_is_judged_or_refused_never_crashes_thousands(document):
    _check_inventory(document)
