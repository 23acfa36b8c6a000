"""What the Pulumi engine answers, in a preview, for a resource the program registers.

Three ways to answer, chosen per run (`medinfra preview --new-stack | --state FILE`):

* **new stack** -- the resource does not exist yet. As the engine's step generator and provider
  plugin do for a create in a preview: the id is unknown (`""`), the outputs are the checked
  inputs echoed back in output shape, and every other output is unknown (the SDK resolves an
  output the engine did not return as unknown during a preview). A provider resource gets the
  engine's unknown id; a provider whose configuration holds unknowns (the Kubernetes provider
  fed by a new cluster's kubeconfig) is not configured, and its resources come back with no
  outputs at all.
* **existing stack** -- the resource is in a `pulumi stack export` file: its id and outputs are
  the recorded ones, with this run's inputs on top (what the program changes). Resources not
  in the file are new, as above.
* **synthetic** (the default until the gate judges unknowns on provenance everywhere) --
  `OfflineCloud` invents deterministic ids and computed outputs, as if every resource existed.

Data sources are answered by `OfflineCloud` in every mode: the engine reads them during a
preview too. The SDK itself returns unknown, without asking, when an argument is unknown.
"""

from __future__ import annotations

import importlib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import _types
from pulumi.runtime import rpc

from medinfra.json_files import read_json
from medinfra.mocks import OfflineCloud
from medinfra.mocks.modes import EXISTING_STACK, MODES, NEW_STACK, SYNTHETIC

__all__ = ["EXISTING_STACK", "MODES", "NEW_STACK", "SYNTHETIC", "PreviewSemantics", "load_state"]


class StateError(ValueError):
    """A state file that is not a `pulumi stack export` document."""


def load_state(path: Path) -> dict[str, dict[str, Any]]:
    """URN -> {"id", "outputs"} of every custom resource in a `pulumi stack export` file."""
    document = read_json(path, f"--state {path}", StateError)
    deployment = document.get("deployment") if isinstance(document, dict) else None
    resources = deployment.get("resources") if isinstance(deployment, dict) else None
    if not isinstance(resources, list):
        raise StateError(
            f"--state {path}: expected the output of `pulumi stack export` "
            '({"version": 3, "deployment": {"resources": [...]}})'
        )
    state = {}
    for i, resource in enumerate(resources):
        if not isinstance(resource, dict) or not isinstance(resource.get("urn"), str):
            raise StateError(f"--state {path}: deployment.resources[{i}] has no urn")
        outputs = resource.get("outputs", {})
        if not isinstance(outputs, dict):
            raise StateError(f"--state {path}: deployment.resources[{i}].outputs is not an object")
        if resource.get("custom", True):
            state[resource["urn"]] = {"id": str(resource.get("id") or ""), "outputs": outputs}
    return state


def output_shape(type_: str, inputs: dict) -> dict:
    """A resource's inputs as its provider echoes them in a preview, in output shape.

    azure-native is the provider whose input and output shapes differ for a property programs
    set: `identity.userAssignedIdentities` goes in as a list of identity ids and comes back as a
    map from each id to that identity's (computed) principal and client ids. A map keyed by ids
    that are not known yet is itself unknown.
    """
    outputs = dict(inputs)
    identity = outputs.get("identity")
    if type_.startswith("azure-native:") and isinstance(identity, dict):
        assigned = identity.get("userAssignedIdentities")
        if isinstance(assigned, list):
            rest = {k: v for k, v in identity.items() if k != "userAssignedIdentities"}
            known = all(isinstance(i, str) and i != rpc.UNKNOWN for i in assigned)
            outputs["identity"] = (
                {**rest, "userAssignedIdentities": {i: {} for i in assigned}} if known else rest
            )
    return outputs


def _resource_class(type_: str) -> type | None:
    """The Python SDK class of a resource type token (`aws:eks/cluster:Cluster` ->
    pulumi_aws.eks.Cluster), if its SDK is importable; None otherwise."""
    try:
        package, module, name = type_.split(":")
    except ValueError:
        return None
    root = "pulumi_" + package.replace("-", "_")
    parts = [p for p in module.split("/") if p and p != "index"]
    for candidate in (".".join([root, *parts]), ".".join([root, *parts[:1]]), root):
        try:
            found = getattr(importlib.import_module(candidate), name, None)
        except ImportError:
            continue
        if isinstance(found, type):
            return found
    return None


def _output_class(annotation: Any) -> type | None:
    """The output type a (possibly Optional/list/map) annotation names, if any."""
    if isinstance(annotation, type):
        return annotation if _types.is_output_type(annotation) else None
    for arg in typing.get_args(annotation):
        found = _output_class(arg)
        if found is not None:
            return found
    return None


def _mark_computed(value: Any, annotation: Any) -> Any:
    """`value` (inputs echoed in output shape) with every field that its output type declares
    and the inputs do not set marked unknown, at any depth: what a provider's preview answers
    for the computed parts of an object it was given (e.g. an AKS cluster's
    oidcIssuerProfile.issuerURL, an EKS cluster's vpcConfig.clusterSecurityGroupId)."""
    cls = _output_class(annotation)
    if cls is None:
        return value
    if isinstance(value, list):
        return [_mark_computed(v, cls) for v in value]
    if not isinstance(value, dict) or rpc._special_sig_key in value:
        return value
    fields = _types.output_type_types(cls)
    if not set(value) <= set(fields):  # a map (e.g. keyed by ids), not an object of the type
        return {k: _mark_computed(v, cls) for k, v in value.items()}
    return {
        name: _mark_computed(value[name], typ) if name in value else rpc.UNKNOWN
        for name, typ in fields.items()
    }


def computed_unknown(type_: str, outputs: dict) -> dict:
    """Outputs of a resource being created, with the computed fields of the objects it was
    given unknown (its computed top-level outputs are unknown already: not returned)."""
    cls = _resource_class(type_)
    if cls is None:
        return outputs
    types = _types.resource_types(cls)
    return {k: _mark_computed(v, types.get(k)) for k, v in outputs.items()}


def _overlay(recorded: Any, given: Any) -> Any:
    """`given` on top of `recorded`, object by object: what the program sets wins, what it does
    not set keeps its recorded value."""
    if isinstance(recorded, dict) and isinstance(given, dict):
        return {k: _overlay(recorded[k], v) if k in recorded else v for k, v in given.items()} | {
            k: v for k, v in recorded.items() if k not in given
        }
    return given


@dataclass
class PreviewSemantics:
    """Answers resource registrations in one of `MODES`."""

    cloud: OfflineCloud
    mode: str = SYNTHETIC
    state: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    unconfigured: set[str] = field(default_factory=set)  # providers whose config is unknown
    no_outputs: set[str] = field(default_factory=set)  # resources those providers answered

    def answer(
        self, type_: str, name: str, inputs: dict, urn: str, provider_ref: str
    ) -> tuple[str, dict, set]:
        """(id, outputs, generated identifier values) for a custom resource."""
        if self.mode == SYNTHETIC:
            return self.cloud.new_resource(type_, name, inputs, urn)
        recorded = self.state.get(urn)
        if recorded is not None:
            rid = recorded["id"]
            # What the resource has, with what this run sets on top (a preview of an update
            # keeps the computed outputs it does not change, nested ones included).
            outputs = _overlay(recorded["outputs"], output_shape(type_, inputs))
            generated = {v for v in recorded["outputs"].values() if isinstance(v, str) and v}
            return rid, outputs, ({rid} if rid else set()) | generated
        if type_.startswith("pulumi:providers:"):
            if rpc.contains_unknowns(inputs):  # the SDK's own test (deserialized inputs)
                self.unconfigured.add(urn)
            return rpc.UNKNOWN, dict(inputs), set()
        # The identifiers the cloud will give the resource, in the shapes OfflineCloud makes,
        # serve only to trace a value the program built from names back to this resource;
        # the program never receives them.
        _, _, identifiers = self.cloud.new_resource(type_, name, inputs, urn)
        if provider_ref and provider_ref.rsplit("::", 1)[0] in self.unconfigured:
            self.no_outputs.add(urn)
            return "", {}, identifiers
        return "", computed_unknown(type_, output_shape(type_, inputs)), identifiers
