"""Which dict-valued properties of each mapped aws/gcp type are free-form maps (tags, labels),
read from the provider SDKs' declared input types. Computed once and committed as
`sdk_maps.json`, because importing the SDKs at gate time would cost seconds:

    python -m policies.checkov_bridge.sdk_maps --write
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import typing
from typing import Any

from medinfra.policies.checkov_bridge.types import SDK_MAPS_FILE, TF_TYPES
from pulumi import _types as sdk_types

_PACKAGES = {"aws": "pulumi_aws", "gcp": "pulumi_gcp"}


def _args_class(token: str) -> type:
    package, module, name = token.split(":")
    mod = importlib.import_module(f"{_PACKAGES[package]}.{module.split('/')[0]}")
    resource = getattr(mod, name)
    own = sys.modules[resource.__module__]
    (found,) = [
        c
        for n, c in vars(own).items()
        if n.endswith("Args") and isinstance(c, type) and c.__module__ == own.__name__
    ]
    return found


def _is_map(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if isinstance(origin, type) and issubclass(origin, typing.Mapping | dict):
        return True
    return any(_is_map(a) for a in typing.get_args(annotation))


def _input_classes(annotation: Any) -> list[type]:
    if isinstance(annotation, type) and sdk_types.is_input_type(annotation):
        return [annotation]
    origin = typing.get_origin(annotation)
    if isinstance(origin, type) and issubclass(origin, typing.Mapping | dict):
        return []
    found: list[type] = []
    for arg in typing.get_args(annotation):
        found += _input_classes(arg)
    return found


def map_paths(cls: type, prefix: str = "", seen: frozenset = frozenset()) -> set[str]:
    """Dotted camelCase paths of map-typed inputs under an SDK input class."""
    if cls in seen:
        return set()
    names = sdk_types.input_type_py_to_pulumi_names(cls)
    hints = sdk_types.input_type_types(cls)
    found: set[str] = set()
    for pulumi_name in names.values():
        hint = hints.get(pulumi_name)
        path = f"{prefix}{pulumi_name}"
        nested = _input_classes(hint)
        if not nested and _is_map(hint):
            found.add(path)
        for sub in nested:
            found |= map_paths(sub, path + ".", seen | {cls})
    return found


def compute() -> dict[str, list[str]]:
    """Every mapped aws/gcp token -> its sorted map paths."""
    return {token: sorted(map_paths(_args_class(token))) for token in sorted(TF_TYPES)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {SDK_MAPS_FILE.name}")
    args = parser.parse_args()
    text = json.dumps(compute(), indent=1, sort_keys=True) + "\n"
    if args.write:
        SDK_MAPS_FILE.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
