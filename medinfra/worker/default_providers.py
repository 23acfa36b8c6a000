"""The default providers the engine registers for resources that name no provider.

A custom resource registered without a `provider` reference is served by its package's default
provider, which the engine registers on first use (`pulumi:providers:<package>::default_<version>`,
configured from the stack's `<package>:*` keys: `aws:region`, `gcp:project`,
`azure-native:location`...). It is a resource of the stack like any other, and a CrossGuard stack
policy is shown it. The mock runtime has no engine, so the planner adds it here: without it a
program that sets `aws:region` in its stack file and no explicit provider would place every
resource in a region no rule sees (MED-RES-001).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import metadata

from medinfra.policies.inventory import InventoryResource, Secret, package_of, redact

#: Packages the engine serves itself (stack references): no default provider of theirs is judged.
_BUILTIN = frozenset({"pulumi"})


def _version(package: str) -> str | None:
    try:
        return metadata.version(f"pulumi_{package.replace('-', '_')}")
    except metadata.PackageNotFoundError:
        return None


def needs_default(type_: str, provider_ref: str, custom: bool) -> str | None:
    """The package whose default provider serves this registration, or None."""
    if not custom or provider_ref or type_.startswith("pulumi:providers:"):
        return None
    package = package_of(type_)
    return None if package in _BUILTIN else package


def default_provider(
    package: str,
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: Iterable[str],
) -> InventoryResource:
    """The package's default provider as the engine registers it: the stack's `<package>:*`
    keys as strings (secret ones secret), plus the plugin version it loads."""
    secret = set(secret_keys)
    inputs: dict[str, object] = {}
    for key, value in sorted(config.items()):
        namespace, _, name = key.partition(":")
        if namespace == package and name:
            inputs[name] = Secret(value) if key in secret else value
    version = _version(package)
    if version:
        inputs["version"] = version
    name = f"default_{version.replace('.', '_')}" if version else "default"
    props, secrets, unknowns = redact(inputs)
    return InventoryResource(
        urn=f"urn:pulumi:{stack}::{project}::pulumi:providers:{package}::{name}",
        type=f"pulumi:providers:{package}",
        name=name,
        provider=None,
        parent=None,
        props=props,
        unknowns=unknowns,
        secrets=secrets,
    )
