"""How long a planned program spends importing Pulumi SDKs (`sdk_import_s` in the timings).

A finder at the front of `sys.meta_path` times the loading of every `pulumi*` module the
program imports, outermost imports only (what a provider package imports in turn, grpc and
protobuf included, counts towards it once). It finds nothing itself: the rest of
`sys.meta_path` finds each module as usual, so what is imported is unchanged.
"""

from __future__ import annotations

import importlib.abc
import sys
import time


class SdkImportTimer(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self.seconds = 0.0
        self._depth = 0

    def find_spec(self, name, path, target=None):
        if not name.startswith("pulumi"):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        spec.loader = _TimedLoader(loader, self)
        return spec

    def install(self) -> SdkImportTimer:
        sys.meta_path.insert(0, self)
        return self


class _TimedLoader(importlib.abc.Loader):
    def __init__(self, loader, timer: SdkImportTimer) -> None:
        self._loader = loader
        self._timer = timer

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        # The module's own loader, for everything that asks (resources, source, reload).
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        timer = self._timer
        timer._depth += 1
        started = time.perf_counter()
        try:
            self._loader.exec_module(module)
        finally:
            timer._depth -= 1
            if timer._depth == 0:
                timer.seconds += time.perf_counter() - started

    def __getattr__(self, name):
        return getattr(self._loader, name)
