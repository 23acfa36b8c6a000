"""How the planner starts its worker in any interpreter, the program's virtualenv included.

`medinfra.planner` runs `PYTHON -c SOURCE MEDINFRA_PACKAGE_DIR RESULT_FILE`. SOURCE loads the
`medinfra` package from that directory by its path, so the interpreter gains exactly one import
name and nothing else of MedInfra's environment: the program's own site-packages (its pulumi,
its providers) are what it imports. The worker needs only the standard library and `pulumi`
(with grpcio and protobuf, which pulumi itself requires). An interpreter that lacks them, or is
older than MedInfra supports, gets a result of kind "environment" (the planner's exit 2, naming
the virtualenv) instead of a traceback.

Kept free of newer syntax so that any Python 3 can run it far enough to say what is wrong.
"""

SOURCE = r'''
import json, sys, time
_started = time.perf_counter()

def _environment(message):
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump({"ok": False, "kind": "environment", "message": message, "location": None}, fh)
    sys.exit(0)

if sys.version_info < (3, 11):
    _environment("it is Python %d.%d.%d; medinfra's planner needs 3.11 or newer"
                 % tuple(sys.version_info[:3]))
import importlib.util
_package = sys.argv[1]
_spec = importlib.util.spec_from_file_location(
    "medinfra", _package + "/__init__.py", submodule_search_locations=[_package])
_module = importlib.util.module_from_spec(_spec)
sys.modules["medinfra"] = _module
_spec.loader.exec_module(_module)
try:
    import medinfra.worker.__main__ as _worker
except ImportError as exc:
    if (exc.name or "medinfra").split(".")[0] == "medinfra":
        raise  # our own bug, not the environment's: the planner reports it (exit 3)
    _environment("it cannot import %r, which the planner needs (%s)" % (exc.name, exc))
_worker.STARTUP_SECONDS = round(time.perf_counter() - _started, 4)
sys.argv = ["medinfra-worker", sys.argv[2]]
sys.stdout = sys.stderr  # the program's prints must never reach our stdout
sys.exit(_worker.main())
'''
