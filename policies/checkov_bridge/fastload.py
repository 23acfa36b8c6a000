"""Exact fast loaders for the bridge's files, in the Checkov worker (docs/checkov-scale.md).

Checkov reads a Terraform plan, an ARM template or a Kubernetes JSON manifest through PyYAML so
that every mapping carries its line numbers: Python-level YAML construction, half of a scan's
CPU time. The bridge writes each document with `json.dumps` on ONE line, where every line number
is 1 (mark line 0), so the same objects can be built from `json.loads` and a walk, ~20x faster.

`install()` replaces three Checkov 3.3.30 functions with wrappers that take the fast path only
for content where it provably builds what PyYAML builds, and otherwise call Checkov's own:

- printable ASCII on one line (no newline, tab or DEL), no `\\u` escape and no escapes but
  `\\"`, `\\\\`, `\\n`, `\\t`, `\\r` (PyYAML and `json` decode those alike), no NaN/Infinity, size
  below Checkov's MAX_IAC_FILE_SIZE (above it Checkov itself drops line numbers);
- numbers resolved by YAML 1.1's rules (a JSON float PyYAML does not resolve -- `1e-05`, no dot
  or an unsigned exponent -- stays a string, as in Checkov);
- Terraform plan (cfn_yaml's MarkedLoader, TFPLAN): DictNode / ListNode / StrNode (keys too),
  marks on line 0, `__file__` / `__startline__` / `__endline__` appended to every mapping; a
  duplicate key or a `null` after Checkov registered its null error on the loader class falls
  back (Checkov raises there);
- Kubernetes JSON (k8_json) and ARM (common.parsers.yaml SafeLineLoader): plain dicts and lists,
  `__startline__` / `__endline__` = 1 appended, later duplicate keys winning (as PyYAML does).

Any other Checkov version keeps Checkov's loaders (`install` returns False);
`MEDINFRA_CHECKOV_FAST_LOAD=0` turns the fast path off. tests/test_checkov_fastload.py compares
both loaders object for object (types, key order, line marks) on the reference stacks and
fixtures, and the scans' records, line ranges included.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

CHECKOV_VERSION = "3.3.30"
ENV = "MEDINFRA_CHECKOV_FAST_LOAD"
_SAFE = re.compile(r'[\x20-\x7e]*')
_ESCAPE = re.compile(r'\\(.)')
_YAML_FLOAT = re.compile(r'[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?')
_installed: dict[str, Any] = {}


class _Fallback(Exception):
    """The content is outside what the fast path reproduces: use Checkov's loader."""


def _plain(content: str) -> bool:
    """One line of printable ASCII whose escapes PyYAML and json decode alike."""
    if not _SAFE.fullmatch(content):
        return False
    return "\\" not in content or all(m.group(1) in '"\\ntr' for m in _ESCAPE.finditer(content))


def _constant(_: str) -> Any:
    raise _Fallback


def _decode(content: str, float_as: type) -> Any:
    """json.loads with YAML's number resolution, or _Fallback."""
    if not _plain(content):
        raise _Fallback
    try:
        return json.loads(
            content,
            parse_float=lambda s: float(s) if _YAML_FLOAT.fullmatch(s) else float_as(s),
            parse_constant=_constant,
        )
    except ValueError:
        raise _Fallback from None


def _lined(node: Any) -> Any:
    """SafeLineLoader's objects on line 1: plain containers, line keys appended."""
    if isinstance(node, dict):
        out = {k: _lined(v) for k, v in node.items()}
        out["__startline__"] = 1
        out["__endline__"] = 1
        return out
    if isinstance(node, list):
        return [_lined(v) for v in node]
    return node


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Fallback  # MarkedLoader raises on a duplicate key
    return out


def _marked_builder(filename: str):
    """MarkedLoader's objects for one file: every node's marks on line 0."""
    from checkov.cloudformation.parser import cfn_yaml
    from checkov.common.parsers.node import DictNode, ListNode, StrNode

    if "mark" not in _installed:  # a mark of PyYAML's own type, on line 0, from Checkov's loader
        _installed["mark"] = cfn_yaml.loads("{}", "<mark>", cfn_yaml.ContentType.TFPLAN).start_mark
    mark = _installed["mark"]
    new_str = str.__new__

    def text(value: str) -> StrNode:
        # StrNode(value, mark, mark) without its Python-level __init__: the same object.
        node = new_str(StrNode, value)
        node.start_mark = node.end_mark = mark
        return node

    def build(node: Any) -> Any:
        if isinstance(node, str):
            return text(node)
        if isinstance(node, dict):
            data = {text(k): build(v) for k, v in node.items()}
            data["__file__"] = filename
            data["__startline__"] = 1
            data["__endline__"] = 1
            return DictNode(data, mark, mark)
        if isinstance(node, list):
            return ListNode([build(v) for v in node], mark, mark)
        return node

    return build


def _fast_tfplan(filename: Any, content_type: Any) -> tuple[Any, list] | None:
    from pathlib import Path

    from checkov.cloudformation.parser import cfn_yaml
    from checkov.common.util.consts import MAX_IAC_FILE_SIZE
    from checkov.common.util.file_utils import read_file_with_any_encoding

    path = filename if isinstance(filename, Path) else Path(filename)
    if content_type != cfn_yaml.ContentType.TFPLAN or path.suffix != ".json":
        return None
    content = read_file_with_any_encoding(file_path=path)
    if "planned_values" not in content or len(content) > MAX_IAC_FILE_SIZE:
        return None
    null = cfn_yaml.MarkedLoader.yaml_constructors.get("tag:yaml.org,2002:null")
    if null is cfn_yaml.NodeConstructor.construct_yaml_null_error and "null" in content:
        return None
    if not _plain(content):
        return None
    try:
        raw = json.loads(content, object_pairs_hook=_unique_pairs,
                         parse_float=lambda s: float(s) if _YAML_FLOAT.fullmatch(s) else s,
                         parse_constant=_constant)
    except (ValueError, _Fallback):
        return None
    return _marked_builder(str(filename))(raw), [(1, content)] if content else []


def install() -> bool:
    """Patch Checkov's three JSON loaders (once per process); False if not Checkov 3.3.30 or
    turned off by MEDINFRA_CHECKOV_FAST_LOAD=0."""
    import importlib.metadata

    if os.environ.get(ENV, "1").strip() == "0":
        return False
    if importlib.metadata.version("checkov") != CHECKOV_VERSION:
        return False
    if "tfplan" in _installed:
        return True
    from checkov.arm.parser import parser as arm_parser
    from checkov.cloudformation.parser import cfn_yaml
    from checkov.common.util.consts import MAX_IAC_FILE_SIZE
    from checkov.common.util.file_utils import read_file_with_any_encoding
    from checkov.kubernetes.parser import k8_json

    original = {"tfplan": cfn_yaml.load, "k8s": k8_json.load, "arm": arm_parser.load}

    def tfplan_load(filename, content_type):
        fast = _fast_tfplan(filename, content_type)
        return fast if fast is not None else original["tfplan"](filename, content_type)

    def k8s_load(filename):
        content = read_file_with_any_encoding(file_path=filename)
        if (all(key in content for key in ("apiVersion", "kind"))
                and 0 < len(content) <= MAX_IAC_FILE_SIZE):
            wrapped = ("[" + content + "]").replace("}{", "},{").replace("}\n{", "},\n{")
            try:
                return _lined(_decode(wrapped, str)), [(1, content)]
            except _Fallback:
                pass
        return original["k8s"](filename)

    def arm_load(filename):
        content = read_file_with_any_encoding(file_path=filename)
        if all(key in content for key in ("$schema", "contentVersion")) and content:
            try:
                template = _lined(_decode(content, str))
            except _Fallback:
                template = None
            if isinstance(template, dict) and template:
                return template, [(1, content)]
        return original["arm"](filename)

    cfn_yaml.load = tfplan_load
    k8_json.load = k8s_load
    arm_parser.load = arm_load
    _installed.update(original)
    return True


def uninstall() -> None:
    """Checkov's own loaders again (the equivalence test compares both)."""
    if "tfplan" not in _installed:
        return
    from checkov.arm.parser import parser as arm_parser
    from checkov.cloudformation.parser import cfn_yaml
    from checkov.kubernetes.parser import k8_json

    cfn_yaml.load = _installed["tfplan"]
    k8_json.load = _installed["k8s"]
    arm_parser.load = _installed["arm"]
    for key in ("tfplan", "k8s", "arm"):
        del _installed[key]
