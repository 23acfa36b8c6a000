"""One strict YAML loader for every file a user hands us: stack and project files, waivers,
rule METADATA.

PyYAML's SafeLoader, refusing what would make a file mean something other than it says, or take
the CLI down instead of getting one clear error:

* duplicate keys (YAML says a mapping's keys are unique; PyYAML keeps the last one silently, so
  `dataClassification: phi` then `public` would turn PHI controls off);
* values that are not JSON: dates and times (unless `dates_as_text`), `!!binary`, `!!set`,
  `!!omap`/`!!pairs`, NaN and infinities, keys that are not text;
* more than MAX_ALIASES aliases, an alias inside its own anchor, a document that expands to more
  than MAX_NODES values (a "billion laughs" bomb), nesting deeper than MAX_DEPTH;
* files over `max_bytes`, and anything that is not UTF-8.

Every refusal is a StrictYamlError whose one-line message names the file and the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 256 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 32
MAX_NODES = 200_000


class StrictYamlError(Exception):
    """A YAML file we refuse; the message is one line naming the file and line."""

    def __init__(self, name: str, line: int | None, problem: str):
        self.name, self.line, self.problem = name, line, problem
        where = f"{name}, line {line}" if line is not None else name
        super().__init__(f"{where}: {problem}")


class _Refused(Exception):
    def __init__(self, node_or_mark: Any, problem: str):
        mark = getattr(node_or_mark, "start_mark", node_or_mark)
        self.line = mark.line + 1 if mark is not None else None
        self.problem = problem


def _shown(node: Node) -> str:
    if getattr(node, "medinfra_secret", False):
        return "(a secure value, not shown)"
    value = str(node.value)
    return repr(value if len(value) <= 40 else value[:39] + "…")


class _StrictLoader(yaml.SafeLoader):
    dates_as_text = False

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._open: set[str] = set()

    # The scanner keeps per-level state (simple keys): 5,000 nested `[` cost seconds before the
    # composer's own depth bound is reached, so the scanner stops at the same depth.
    def fetch_flow_collection_start(self, TokenClass: Any) -> None:  # noqa: N803 - PyYAML's
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(self.get_mark(), f"nested deeper than {MAX_DEPTH} levels")
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= MAX_DEPTH:
            raise _Refused(self.get_mark(), f"nested deeper than {MAX_DEPTH} levels")
        return super().add_indent(column)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(
                    event.start_mark, f"more than {MAX_ALIASES} aliases; write the values out"
                )
            if event.anchor in self._open:
                raise _Refused(event.start_mark, f"alias *{event.anchor} refers to itself")
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
        anchor = getattr(event, "anchor", None)
        if anchor:
            self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor:
                self._open.discard(anchor)

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise _Refused(node, "expected a mapping")
        self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                raise _Refused(key_node, f"key {_shown(key_node)} is not text; quote it")
            if key in mapping:
                raise _Refused(
                    key_node,
                    f"duplicate key {key!r} (first at line {lines[key]}); a key may appear once",
                )
            if key == "secure":
                value_node.medinfra_secret = True  # type: ignore[attr-defined]
            lines[key] = key_node.start_mark.line + 1
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        if self.dates_as_text:
            return str(node.value)
        raise _Refused(
            node,
            f"{_shown(node)} is an unquoted date/time; quote it to keep it text "
            f"(\"{node.value}\")" if not getattr(node, "medinfra_secret", False)
            else "a secure value is an unquoted date/time; quote it",
        )

    def construct_yaml_float(self, node: ScalarNode) -> float:
        value = super().construct_yaml_float(node)
        if value != value or value in (float("inf"), float("-inf")):
            raise _Refused(node, f"{_shown(node)} is not a JSON number; quote it if it is text")
        return value

    def _not_json(self, node: Node) -> Any:
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
        raise _Refused(node, f"{tag} values are not allowed here (only JSON types)")


for _tag in ("binary", "set", "omap", "pairs"):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _StrictLoader._not_json)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)


class _DatesAsText(_StrictLoader):
    dates_as_text = True


def _expanded_size(root: Node) -> int:
    """How many values the document holds once every alias is expanded (memoized: linear)."""
    sizes: dict[int, int] = {}
    order: list[Node] = []
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if done:
            children: list[Node] = []
            if isinstance(node, SequenceNode):
                children = list(node.value)
            elif isinstance(node, MappingNode):
                children = [n for pair in node.value for n in pair]
            sizes[id(node)] = min(MAX_NODES + 1, 1 + sum(sizes.get(id(c), 0) for c in children))
            order.append(node)
            continue
        stack.append((node, True))
        if isinstance(node, SequenceNode):
            stack.extend((c, False) for c in node.value if id(c) not in sizes)
        elif isinstance(node, MappingNode):
            stack.extend((c, False) for pair in node.value for c in pair if id(c) not in sizes)
    return sizes[id(root)]


def _decode(data: bytes, name: str, max_bytes: int) -> str:
    if len(data) > max_bytes:
        line = data[:max_bytes].count(b"\n") + 1
        raise StrictYamlError(
            name, line, f"the file is larger than {max_bytes} bytes (the bound for this file)"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise StrictYamlError(
            name, line, f"byte 0x{data[exc.start]:02x} is not UTF-8 (files must be UTF-8)"
        ) from None
    if "\ufeff" in text:  # only at the very start (stripped above): elsewhere it hides in keys
        line = text[: text.index("\ufeff")].count("\n") + 1
        raise StrictYamlError(name, line, "byte order mark (U+FEFF) inside the file")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise StrictYamlError(name, line, "NUL character (UTF-16?); files must be UTF-8")
    return text


def loads(
    data: bytes | str,
    name: str,
    *,
    dates_as_text: bool = False,
    max_bytes: int = MAX_BYTES,
    line_offset: int = 0,
) -> Any:
    """Parse one YAML document strictly (see the module docstring); StrictYamlError if refused.
    `line_offset` shifts reported lines (YAML embedded in a bigger file, e.g. METADATA)."""
    text = _decode(data.encode("utf-8") if isinstance(data, str) else data, name, max_bytes)
    loader = None
    try:
        loader = (_DatesAsText if dates_as_text else _StrictLoader)(text)
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_NODES:
            raise _Refused(node, f"expands to more than {MAX_NODES} values (alias bomb?)")
        return loader.construct_document(node)
    except _Refused as exc:
        line = None if exc.line is None else exc.line + line_offset
        raise StrictYamlError(name, line, exc.problem) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "not valid YAML"
        raise StrictYamlError(name, line, f"not valid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 + line_offset
        raise StrictYamlError(
            name, line, f"character #x{exc.character:04x} is not allowed in YAML"
        ) from None
    except yaml.YAMLError as exc:
        raise StrictYamlError(name, None, f"not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise StrictYamlError(name, None, f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_file(path: Path, *, dates_as_text: bool = False, max_bytes: int = MAX_BYTES) -> Any:
    """`loads` of a file; an unreadable file is a StrictYamlError too."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise StrictYamlError(str(path), None, f"cannot read: {exc.strerror}") from None
    return loads(data, str(path), dates_as_text=dates_as_text, max_bytes=max_bytes)

