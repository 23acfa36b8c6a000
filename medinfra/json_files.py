"""Reading a JSON file a user hands us by flag (`--state`, `--stack-outputs`) with one clear
error line instead of a traceback. Standard library only: the planner's worker imports it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_json(path: Path, label: str, error: type[Exception]) -> Any:
    """The JSON document in `path`; `error` naming `label` if it cannot be read or parsed."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{label}: cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise error(f"{label}: not JSON ({exc})") from None
