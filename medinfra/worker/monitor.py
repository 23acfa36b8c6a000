"""The recording resource monitor and engine: Pulumi's mock runtime, answering as the engine
would for a preview of new resources, and recording every registration with its full request.

Outputs come from `medinfra.mocks.preview.PreviewSemantics` (a new stack, an exported stack, or
`OfflineCloud`'s synthetic ids); what was registered becomes the Inventory
(`RecordingMonitor.inventory`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pulumi.runtime import mocks, rpc
from pulumi.runtime.proto import engine_pb2, resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from medinfra.mocks import OfflineCloud, UnansweredInvoke
from medinfra.mocks.preview import PreviewSemantics
from medinfra.policies.inventory import (
    UNKNOWN,
    InventoryResource,
    package_of,
    redact,
    resolve_references,
)
from medinfra.policies.wire import from_wire
from medinfra.worker.default_providers import default_provider, needs_default
from medinfra.worker.errors import record_invoke_call_sites

_STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"


def unknowable_data_sources_are_unknown(cloud: OfflineCloud) -> None:
    """A data source read in output form (`get_x_output`) that nothing offline can answer
    resolves unknown, as the SDK itself resolves one whose arguments are unknown; a plain
    (`get_x`) call must have a value, so it still fails, asking for --data-sources."""
    import importlib

    # The module, not the `invoke` function pulumi.runtime exports under the same name.
    sdk_invoke = importlib.import_module("pulumi.runtime.invoke")
    original = sdk_invoke._invoke

    async def unknown() -> sdk_invoke.InvokeResult:
        return sdk_invoke.InvokeResult(None, is_secret=False, is_known=False)

    def _invoke(tok, *args, **kwargs):
        if kwargs.get("check_dependencies") and not cloud.answerable(tok):
            return unknown()
        return original(tok, *args, **kwargs)

    sdk_invoke._invoke = _invoke


class _NoMocks(mocks.Mocks):
    def new_resource(self, args):  # pragma: no cover - RecordingMonitor never delegates
        raise AssertionError("RecordingMonitor answers resources itself")

    def call(self, args):  # pragma: no cover
        raise AssertionError("RecordingMonitor answers invokes itself")


class RecordingMonitor(mocks.MockMonitor):
    """A mock resource monitor that records each registration with its full request."""

    def __init__(
        self,
        cloud: OfflineCloud,
        project: str,
        stack: str,
        program_dir: Path,
        semantics: PreviewSemantics | None = None,
        stack_outputs: dict[str, dict[str, Any]] | None = None,
        config: dict[str, str] | None = None,
        secret_keys: list[str] | None = None,
    ):
        super().__init__(_NoMocks())
        self.cloud = cloud
        self.semantics = semantics or PreviewSemantics(cloud)
        self.program_dir = program_dir
        self.failures: list[dict[str, Any]] = []
        self.call_sites = record_invoke_call_sites(program_dir)
        # Registrations run on executor threads, where Pulumi's settings ContextVars are unset.
        self.project = project
        self.stack = stack
        self.lock = threading.Lock()
        self.records: list[dict[str, Any]] = []
        self.known_values: dict[str, str] = {}
        self.outputs: dict[str, Any] = {}
        #: Outputs of referenced stacks (--stack-outputs), by the name the program references.
        self.stack_outputs = dict(stack_outputs or {})
        #: The stack config (every namespace, as the CLI passes it) the default providers read.
        self.config = dict(config or {})
        self.secret_keys = list(secret_keys or [])
        #: package -> its default provider, registered on first use (worker.default_providers).
        self.default_providers: dict[str, InventoryResource] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine builds it: the parent's full qualified type chain, minus the root stack.
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != _STACK_TYPE:
                type_ = f"{parent_type}${type_}"
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == _STACK_TYPE:
            with self.lock:
                self.records.append({"urn": urn, "request": request, "custom": False})
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()
        package = needs_default(request.type, request.provider, request.custom)
        if package is not None:
            with self.lock:
                if package not in self.default_providers:
                    self.default_providers[package] = default_provider(
                        package, self.project, self.stack, self.config, self.secret_keys
                    )
        inputs = rpc.deserialize_properties(request.object)
        if request.custom:
            rid, outputs, generated = self.semantics.answer(
                request.type, request.name, inputs, urn, request.provider
            )
        else:
            rid, outputs, generated = "", {}, set()
        obj = _sync_await(rpc.serialize_properties(outputs, {}))
        with self.lock:
            self.records.append({"urn": urn, "request": request, "custom": request.custom})
            self.known_values[urn] = urn
            for value in generated:
                self.known_values.setdefault(value, urn)
            self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, rid, outputs)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=rid, object=obj)

    def ReadResource(self, request):
        if request.type != STACK_REFERENCE_TYPE:
            return super().ReadResource(request)
        # As the engine's builtin provider reads a stack reference in a preview: the referenced
        # stack's outputs, secret ones secret and named in secretOutputNames. Offline they come
        # from --stack-outputs; a stack without them has unknown outputs.
        _ensure_event_loop()
        urn = self.make_urn(request.parent, request.type, request.name)
        name = rpc.deserialize_properties(request.properties).get("name")
        given = self.stack_outputs.get(name) if isinstance(name, str) else None
        if given is None:
            state = {"name": name, "outputs": rpc.UNKNOWN, "secretOutputNames": rpc.UNKNOWN}
        else:
            secret = sorted(k for k, v in given.items() if _has_secrets(v))
            state = {"name": name, "outputs": given, "secretOutputNames": secret}
        obj = _sync_await(rpc.serialize_properties(state, {}))
        with self.lock:
            self.records.append({"urn": urn, "request": request, "custom": True, "state": obj})
            self.known_values[urn] = urn
            for value in _public_strings(given or {}):
                self.known_values.setdefault(value, urn)
            self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, name, state)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=obj)

    def SupportsFeature(self, request):
        # New-style transforms run through an engine-side callback server that the mock runtime
        # does not have; declining the feature makes the SDK fail fast (see errors.describe).
        if request.id in ("transforms", "invokeTransforms"):
            return type("SupportsFeatureResponse", (), {"hasSupport": False})
        return super().SupportsFeature(request)

    def RegisterResourceOutputs(self, request):
        if request.urn.split("::")[2] == _STACK_TYPE:
            self.outputs = from_wire(request.outputs, UNKNOWN)
        return super().RegisterResourceOutputs(request)

    def Invoke(self, request):
        _ensure_event_loop()
        if request.tok == "pulumi:pulumi:getResource":
            return super().Invoke(request)
        args = rpc.deserialize_properties(request.args)
        try:
            ret = self.cloud.invoke(request.tok, args)
        except UnansweredInvoke as exc:
            # The SDK turns this into a logged error; remember where the program made the call.
            self.failures.append(
                {"message": str(exc), "location": self.call_sites.get(request.tok)}
            )
            raise
        ret_proto = _sync_await(rpc.serialize_properties(ret, {}))
        # The monitor's own response type (it also says whether the result is unknown).
        return resource_pb2.ResourceInvokeResponse(failures=None, **{"return": ret_proto})

    def Call(self, request):
        raise UnansweredInvoke(f"the resource method {request.tok!r} cannot be answered offline")

    def inventory(self) -> list[InventoryResource]:
        """Every recorded resource in Inventory shape: stack first, then by URN."""
        out = []
        for rec in self.records:
            req = rec["request"]
            # A read resource (a stack reference) is shown with the state the engine read.
            shown = rec["state"] if "state" in rec else req.object
            props, secrets, unknowns = redact(from_wire(shown, UNKNOWN))
            prop_deps = (
                {} if "state" in rec
                else {k: list(v.urns) for k, v in req.propertyDependencies.items()}
            )
            out.append(
                InventoryResource(
                    urn=rec["urn"],
                    type=req.type,
                    name=req.name,
                    provider=package_of(req.type) if rec["custom"] else None,
                    parent=req.parent or None,
                    dependencies=sorted(set(req.dependencies)),
                    props=props,
                    unknowns=unknowns,
                    secrets=secrets,
                    references=resolve_references(props, unknowns, prop_deps, self.known_values),
                    no_outputs=rec["urn"] in self.semantics.no_outputs,
                )
            )
        out += self.default_providers.values()
        out.sort(key=lambda r: (r.type != _STACK_TYPE, r.urn))
        return out


def _has_secrets(value: Any) -> bool:
    """Whether a value in wire form holds a secret at any depth (the engine's HasSecrets)."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return True
        return any(_has_secrets(v) for v in value.values())
    return isinstance(value, list) and any(_has_secrets(v) for v in value)


def _public_strings(value: Any) -> list[str]:
    """The non-secret string leaves of `value` (stack outputs in wire form)."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return []
        return [s for v in value.values() for s in _public_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _public_strings(v)]
    return [value] if isinstance(value, str) and value else []


class RecordingEngine:
    """Collects what the program logs; errors fail the preview as they fail `pulumi preview`."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []

    def Log(self, request):
        severity = {
            engine_pb2.DEBUG: "debug",
            engine_pb2.INFO: "info",
            engine_pb2.WARNING: "warning",
            engine_pb2.ERROR: "error",
        }.get(request.severity, "info")
        if severity != "debug":
            self.messages.append(
                {"severity": severity, "message": request.message, "urn": request.urn}
            )

    def GetRootResource(self, request):  # pragma: no cover - only used by real engines
        return engine_pb2.GetRootResourceResponse(urn="")

    def SetRootResource(self, request):  # pragma: no cover
        return engine_pb2.SetRootResourceResponse()
