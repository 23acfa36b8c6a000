"""Starting the Checkov worker's process and reading it, for client.py: which interpreter runs
the worker (`checkov_python`), the environment it gets (`_worker_env`), and the threads that
read what it writes (`_pump_lines` for its answers, `_pump_tail` for the end of its stderr).

Never imports Checkov: this is MedInfra's side (docs/checkov-worker.md "Which interpreter").
"""

from __future__ import annotations

import collections
import os
import queue
from pathlib import Path
from typing import Any

from medinfra.policies.checkov_bridge import protocol
from medinfra.policies.checkov_bridge.runner import CheckovError

_FIX = (
    "set MEDINFRA_CHECKOV_PYTHON to the python of Checkov's own environment, or run "
    "./scripts/setup.sh to create .venv-checkov"
)


def checkov_python(environ: Any = None) -> str:
    """Checkov's interpreter: $MEDINFRA_CHECKOV_PYTHON, else <source root>/.venv-checkov/bin/python.
    Raises CheckovError naming how to fix it when there is none."""
    from medinfra import SOURCE_ROOT

    environ = os.environ if environ is None else environ
    named = environ.get(protocol.PYTHON_ENV)
    if named:
        candidate, where = Path(named), f"${protocol.PYTHON_ENV}"
    elif SOURCE_ROOT is not None:
        candidate, where = SOURCE_ROOT / ".venv-checkov" / "bin" / "python", "the default"
    else:
        raise CheckovError(
            f"no Checkov interpreter is configured: set ${protocol.PYTHON_ENV} to the python of "
            "an environment with Checkov (requirements of .venv-checkov)"
        )
    if not (candidate.is_file() and os.access(candidate, os.X_OK)):
        raise CheckovError(f"no Checkov interpreter at {candidate} ({where}): {_FIX}")
    return str(candidate)


def _worker_env(directory: str) -> dict[str, str]:
    """The environment of a worker started with the private directory `directory`: ours, with
    this `medinfra` importable and without $MEDINFRA_CHECKOV_SOCKET."""
    import medinfra
    from medinfra import SOURCE_ROOT, child_environment

    env = child_environment(dict(os.environ))
    if SOURCE_ROOT is None:
        # An installed MedInfra: show Checkov's interpreter this `medinfra` package alone
        # (its site-packages would shadow Checkov's own pins).
        package = Path(medinfra.__file__).resolve().parent
        os.symlink(package, os.path.join(directory, "medinfra"))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [directory, env.get("PYTHONPATH")]))
    env.pop(protocol.SOCKET_ENV, None)
    return env


def _pump_lines(stream, lines: queue.Queue) -> None:
    """Each line the worker writes (a line with no end of line is a truncated one), then None."""
    try:
        while True:
            line = stream.readline(protocol.MAX_LINE)
            if not line:
                break
            lines.put(line)
            if not line.endswith(b"\n"):
                break
    except (OSError, ValueError):
        pass
    lines.put(None)


def _pump_tail(stream, tail: collections.deque) -> None:
    """Drain the worker's stderr (never let it block on a full pipe), keeping its end."""
    try:
        while chunk := stream.read1(65536):
            tail.extend(chunk)
    except (OSError, ValueError):
        pass
