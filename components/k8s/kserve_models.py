"""The kserve SDK's typed models, without the model server that `import kserve` also loads.

kserve's package initialiser imports its model server and inference clients (pandas, numpy,
fastapi, grpc clients): over a second, most of a planner worker's start-up for an AWS stack
(`python -X importtime`). An InferenceService needs only the generated models and the
ApiClient that serializes them. So, unless kserve is imported already, the `kserve` package is
registered without running its initialiser, and the few submodules needed are imported under
it. The first use of anything else (`kserve.KServeClient`, `from kserve import Model`, in a
user's program too) runs the real initialiser on that same module, so everything kserve offers
is still there, with the same model classes.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

#: Each name isvc_spec uses, and the submodule that defines it.
_WHERE = {
    "ApiClient": "kserve.api_client",
    "V1beta1InferenceService": "kserve.models.v1beta1_inference_service",
    "V1beta1InferenceServiceSpec": "kserve.models.v1beta1_inference_service_spec",
    "V1beta1ModelFormat": "kserve.models.v1beta1_model_format",
    "V1beta1ModelSpec": "kserve.models.v1beta1_model_spec",
    "V1beta1PredictorSpec": "kserve.models.v1beta1_predictor_spec",
}


class _Deferred(types.ModuleType):
    """`kserve` before its initialiser has run: submodules import as usual; any other name
    runs the initialiser first (then this is an ordinary module)."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if importlib.util.find_spec(f"{self.__name__}.{name}") is not None:
            return importlib.import_module(f"{self.__name__}.{name}")
        self.__class__ = types.ModuleType
        self.__spec__.loader.exec_module(self)
        return getattr(self, name)


def _defer_kserve() -> None:
    spec = importlib.util.find_spec("kserve")
    if spec is None:
        raise ModuleNotFoundError("No module named 'kserve'", name="kserve")
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    sys.modules["kserve"] = module


def load() -> dict[str, type]:
    """The kserve classes isvc_spec uses, by name."""
    if "kserve" not in sys.modules:
        _defer_kserve()
    return {name: getattr(importlib.import_module(where), name) for name, where in _WHERE.items()}
