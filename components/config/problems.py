"""`Problem` (one bad config value) and `ConfigError` (all of a stack's problems at once)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
from medinfra.components.config.constants import NAMESPACE, SECRET_MARK


@dataclass(frozen=True)
class Problem:
    """One bad config value: where it is, what it was, and what is allowed."""

    key: str
    value: Any
    allowed: str
    missing: bool = False

    def render(self) -> str:
        if self.missing:
            return f"{NAMESPACE}:{self.key}: missing; {self.allowed}"
        shown = self.value if self.value == SECRET_MARK else json.dumps(self.value, default=str)
        return f"{NAMESPACE}:{self.key}: got {shown}; {self.allowed}"


class ConfigError(pulumi.RunError):
    """Invalid stack config. Pulumi prints a RunError's message without a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p.render()}" for p in problems)
        n = len(problems)
        super().__init__(f"invalid stack config ({n} problem{'s' * (n != 1)}):\n{lines}")
