"""What the provider SDKs declare as inputs, for checking Inventory property names.

A type token (`aws:s3/bucket:Bucket`) maps to its SDK class (`pulumi_aws.s3.Bucket`) and that
class's typed `...Args`; nested input types are followed, so a typo at any depth is caught.
Shared by every cloud's property-name test.
"""

from __future__ import annotations

import functools
import importlib
import typing
import warnings
from typing import Any

from pulumi import _types as sdk_types

_PACKAGES = {
    "aws": "pulumi_aws",
    "aws-native": "pulumi_aws_native",
    "gcp": "pulumi_gcp",
    "azure-native": "pulumi_azure_native",
    "kubernetes": "pulumi_kubernetes",
}


def _module_for(token: str):
    package, module, _ = token.split(":")
    if package == "pulumi" and module == "providers":
        return importlib.import_module(_PACKAGES[token.split(":")[2]])
    root = _PACKAGES[package]
    if package == "kubernetes":
        group, version = module.split("/")
        group = group.split(".")[0] if group != "core" else "core"
        return importlib.import_module(f"{root}.{group}.{version}")
    if package in ("azure-native", "aws-native"):
        return importlib.import_module(f"{root}.{module}")
    name = module.split("/")[0]
    return importlib.import_module(root if name == "index" else f"{root}.{name}")


#: Custom resources have no SDK input class; their specs are checked against their CRD schema.
CUSTOM_RESOURCE_TYPES = frozenset({"kubernetes:serving.kserve.io/v1beta1:InferenceService"})


@functools.cache
def args_class(token: str) -> type:
    """The SDK's typed input class for a resource type token."""
    # Loading a provider module touches its deprecated aliases: the SDK's noise, not ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _args_class(token)


def _args_class(token: str) -> type:
    import sys

    name = "Provider" if token.startswith("pulumi:providers:") else token.rsplit(":", 1)[1]
    resource = getattr(_module_for(token), name)
    # The Args class defined in the resource's own file: a package may export a nested input
    # type with the same name (the generator then calls the resource's one `<Name>InitArgs`).
    module = sys.modules[resource.__module__]
    (found,) = [
        c
        for n, c in vars(module).items()
        if n.endswith("Args") and isinstance(c, type) and c.__module__ == module.__name__
    ]
    return found


def _input_classes(annotation: Any) -> list[type]:
    """Input-type classes inside an annotation (through Optional, Input, Sequence, ...)."""
    if isinstance(annotation, type) and sdk_types.is_input_type(annotation):
        return [annotation]
    if isinstance(annotation, typing.ForwardRef) or isinstance(annotation, str):
        return []
    origin = typing.get_origin(annotation)
    if isinstance(origin, type) and issubclass(origin, typing.Mapping | dict):
        return []  # free-form maps (tags, labels): any key is allowed
    found = []
    for arg in typing.get_args(annotation):
        found += _input_classes(arg)
    return found


@functools.cache
def _fields(cls: type) -> dict[str, list[type]]:
    """Pulumi (camelCase) input names of an input class -> nested input classes."""
    names = sdk_types.input_type_py_to_pulumi_names(cls)
    hints = sdk_types.input_type_types(cls)
    return {pulumi_name: _input_classes(hints.get(pulumi_name)) for pulumi_name in names.values()}


def input_names(token: str) -> set[str]:
    """Top-level input property names the SDK declares for `token`."""
    return set(_fields(args_class(token)))


def unknown_properties(token: str, props: dict) -> list[str]:
    """JSON paths in `props` that the SDK does not declare (recursing into nested inputs)."""
    problems: list[str] = []

    def walk(value: Any, classes: list[type], path: str) -> None:
        if not classes:
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, classes, f"{path}/{i}")
            return
        if not isinstance(value, dict):
            return
        fields: dict[str, list[type]] = {}
        for cls in classes:
            fields.update(_fields(cls))
        for key, item in value.items():
            if key not in fields:
                problems.append(f"{path}/{key}")
            else:
                walk(item, fields[key], f"{path}/{key}")

    walk(props, [args_class(token)], "")
    return problems
