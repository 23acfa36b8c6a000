"""pydantic's validation errors, translated into `Problem`s a stack's author can act on."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any

from medinfra.components.config.problems import Problem
from medinfra.components.config.stack import PlatformConfig
from pydantic import BaseModel


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated, Optional and list wrappers down to the item type."""
    while typing.get_origin(annotation) in (list, typing.Union, types.UnionType, Annotated):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = args[0]
    return annotation


def _field_model(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class at `loc` inside `model` (for listing a section's allowed keys)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next((f for n, f in current.model_fields.items() if part in (n, f.alias)), None)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _key(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problem_from_pydantic(err: Mapping[str, Any]) -> Problem:
    """One of pydantic's errors as a Problem: the key as a stack file spells it, the bad value
    and what is allowed (the keys a section accepts, the values a field takes)."""
    loc = tuple(err["loc"])
    key = _key(loc)
    value = err.get("input")
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        model = _field_model(PlatformConfig, loc[:-1])
        field = model.model_fields.get(_snake(loc[-1])) if model else None
        hint = (field.description or "") if field else ""
        return Problem(key, None, f"required{': ' + hint if hint else ''}", missing=True)
    if kind == "extra_forbidden":
        model = _field_model(PlatformConfig, loc[:-1])
        names = sorted((f.alias or n) for n, f in model.model_fields.items()) if model else []
        return Problem(key, value, "unknown key; allowed keys: " + ", ".join(names))
    if kind == "literal_error":
        return Problem(key, value, msg.replace("Input should be", "expected one of"))
    if kind == "string_pattern_mismatch":
        return Problem(key, value, f"must match {err['ctx']['pattern']}")
    if kind == "value_error":
        return Problem(
            key,
            value if not isinstance(value, Mapping) else None,
            msg.removeprefix("Value error, "),
        )
    return Problem(key, value, msg.replace("Input should be", "expected"))


def _snake(name: Any) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", str(name)).lower()
