"""Failures of the user's program: where in the program they happened, and what to say.

A user needs the line of their own program, not of the SDK or of MedInfra, and a message in
their terms, not our internals' (tests/test_preview_cli.py checks both).
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

from medinfra.mocks import UnansweredInvoke


def _program_frame(frames: list[traceback.FrameSummary], program_dir: Path) -> str | None:
    """file:line of the innermost frame that belongs to the program (not a library)."""
    for frame in reversed(frames):
        if not os.path.isabs(frame.filename):  # '<frozen ...>', '<string>': not a file
            continue
        path = Path(frame.filename).resolve()
        if (
            path.is_file()
            and path.is_relative_to(program_dir)
            and not any(part in ("site-packages", ".venv") for part in path.parts)
        ):
            return f"{path.relative_to(program_dir)}:{frame.lineno}"
    return None


def record_invoke_call_sites(program_dir: Path) -> dict[str, str]:
    """Remember, per data-source token, the program line that last called it.

    Provider SDKs call `pulumi.runtime.invoke*` on the program's own thread, so the stack at
    that moment holds the call site; by the time the monitor fails the invoke, it may not.
    """
    import pulumi.runtime as sdk_runtime

    sites: dict[str, str] = {}

    def wrap(function):
        def recorded(tok, *args, **kwargs):
            site = _program_frame(traceback.extract_stack(), program_dir)
            if site:
                sites[tok] = site
            return function(tok, *args, **kwargs)

        return recorded

    for name in ("invoke", "invoke_async", "invoke_output", "invoke_output_async"):
        if callable(getattr(sdk_runtime, name, None)):
            setattr(sdk_runtime, name, wrap(getattr(sdk_runtime, name)))
    return sites


def user_location(exc: BaseException, program_dir: Path) -> str | None:
    """file:line of the innermost frame of the user's program in the exception's traceback."""
    seen: set[int] = set()
    chain: list[BaseException] = []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    for item in chain:
        location = _program_frame(traceback.extract_tb(item.__traceback__), program_dir)
        if location:
            return location
    return None


def describe(exc: BaseException) -> str:
    """The failure in the user's terms: Pulumi's own errors as they are, every bad input."""
    import pulumi

    if isinstance(exc, (pulumi.RunError, UnansweredInvoke)):
        return str(exc)
    if isinstance(exc, pulumi.InputPropertiesError):
        lines = [str(exc.message)] + [
            f"  - {e['property_path']}: {e['reason']}" for e in getattr(exc, "errors", None) or []
        ]
        return "\n".join(lines)
    text = str(exc)
    if "does not support transforms" in text:
        return (
            "resource transforms (ResourceOptions.transforms, register_resource_transform) are "
            "not supported by the offline planner; legacy ResourceOptions.transformations are"
        )
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
