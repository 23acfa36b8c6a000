"""Reading a stack's `medinfra:*` keys into a validated `PlatformConfig`, or one `ConfigError`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from medinfra.components.config.checks import cloud_problems, relation_problems
from medinfra.components.config.constants import NAMESPACE, SECRET_MARK
from medinfra.components.config.errors import problem_from_pydantic
from medinfra.components.config.problems import ConfigError, Problem
from medinfra.components.config.stack import PlatformConfig, validate_structure
from pydantic import ValidationError


def parse_raw(values: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """Decode the namespace's string values (JSON for objects and lists) into raw data."""
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, text in values.items():
        if isinstance(text, str) and text[:1] in "[{":
            try:
                raw[key] = json.loads(text)
            except ValueError as exc:
                problems.append(Problem(key, text[:40], f"not valid JSON ({exc.msg})"))
        else:
            raw[key] = text
    return raw, problems


def load_platform_config(
    values: Mapping[str, str], secret_keys: set[str] | frozenset[str] = frozenset()
) -> PlatformConfig:
    """Validate the `medinfra` namespace (keys without prefix); raise one ConfigError.

    Fields are validated by the section models; relations between fields and cloud-specific
    values by `checks`, once each.
    """
    raw, problems = parse_raw(values)
    try:
        config = validate_structure(raw)
    except ValidationError as exc:
        config = None
        problems.extend(problem_from_pydantic(e) for e in exc.errors())
    # Relations are judged on the values the sections read (pydantic coerces "3" to 3 and
    # "true" to True) where the config validates, and on the raw input where it does not.
    checked = config.model_dump(by_alias=True) if config is not None else raw
    seen = {p.render() for p in problems}  # a set: linear in the number of problems
    for extra in relation_problems(checked) + cloud_problems(raw):
        if extra.render() not in seen:
            seen.add(extra.render())
            problems.append(extra)
    if problems:
        # One place redacts: no check, present or future, can echo a secret value.
        top = re.compile(r"^[^.\[]+")
        problems = [
            replace(p, value=SECRET_MARK) if top.match(p.key).group(0) in secret_keys else p
            for p in problems
        ]
        raise ConfigError(sorted(problems, key=lambda p: p.key))
    assert config is not None
    return config


def from_pulumi() -> PlatformConfig:
    """Read and validate the `medinfra:*` keys of the running stack.

    Pulumi's Python SDK has no public call that lists a namespace's keys (and which of them are
    secret), so this reads its runtime config state, as it always has.
    """
    from pulumi.runtime import config as runtime_config

    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret = set(runtime_config.get_config_secret_keys_env()) | set(
        runtime_config._SECRET_KEYS.get()
    )
    prefix = NAMESPACE + ":"
    values = {k[len(prefix) :]: v for k, v in merged.items() if k.startswith(prefix)}
    return load_platform_config(values, {k[len(prefix) :] for k in secret if k.startswith(prefix)})


def json_schema() -> dict[str, Any]:
    """JSON Schema of the `medinfra:*` keys (object keys included), for docs and editors."""
    schema = PlatformConfig.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "MedInfra stack config (medinfra:* keys, without the namespace)"
    return schema
