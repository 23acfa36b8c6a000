"""The real Checkov worker: Checkov runs in its own environment only, one warm worker serves
every stack of a preview and every pack it launches, and the worker's own imports are the
standard library, Checkov and the bridge (never a product dependency)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from medinfra.policies.checkov_bridge import protocol
from medinfra.policies.checkov_bridge.client import WorkerClient, checkov_python

from tests import checkov_worker
from tests.conftest import REPO
from tests.test_checkov import _pulumi_equivalent

#: Installed in every Python process of a run (PYTHONPATH): logs the process, and in any
#: interpreter but Checkov's own makes `import checkov` fail.
SITECUSTOMIZE = textwrap.dedent('''
    import os, sys
    from pathlib import Path
    checkov_env = Path(os.environ["MEDINFRA_CHECKOV_PYTHON"]).parent.parent
    product = Path(sys.prefix).resolve() != checkov_env.resolve()
    with open(os.environ["IMPORT_LOG"], "a") as log:
        role = "product" if product else "checkov"
        argv = ' '.join(sys.orig_argv).replace('\\n', ' ')  # a -c program spans lines
        log.write(f"{os.getpid()} {role} {argv}\\n")
    if product:
        class NoCheckov:
            def find_spec(self, name, path=None, target=None):
                if name == "checkov" or name.startswith("checkov."):
                    raise ImportError(f"{name} imported in MedInfra's own environment")
        sys.meta_path.insert(0, NoCheckov())
''')


def test_checkov_is_never_imported_in_medinfras_environment_and_one_worker_serves_all(tmp_path):
    checkov_worker.worker()  # fails clearly without Checkov's interpreter
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    project = tmp_path / "project"
    shutil.copytree(REPO / "examples" / "checkov-aws", project)
    shutil.copy(project / "Pulumi.dev.yaml", project / "Pulumi.qa.yaml")
    # Its Pulumi.yaml names the checkout's .venv (../../.venv), which is this interpreter's.
    project_file = project / "Pulumi.yaml"
    project_file.write_text(project_file.read_text().replace("../../.venv", sys.prefix))
    log = tmp_path / "processes.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(REPO)]),
           "IMPORT_LOG": str(log), "MEDINFRA_CHECKOV_PYTHON": checkov_python()}
    proc = subprocess.run(
        [sys.executable, "-m", "medinfra.cli", "preview", "--dir", str(project), "--all-stacks",
         "--format", "json"],
        capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    stacks = json.loads(proc.stdout)["stacks"]
    assert [s["stack"] for s in stacks] == ["dev", "qa"]
    for stack in stacks:
        ids = {f["id"] for f in stack["findings"]}
        assert {"CKV_AWS_21", "CKV_AWS_51"} <= ids
        assert not any(i.startswith("MED-GATE") for i in ids)
    processes = [line.split(" ", 2) for line in log.read_text().splitlines()]
    packs = [p for p in processes if "-m pulumi.policy" in p[2]]
    workers = [p for p in processes if "-m medinfra.policies.checkov_bridge.worker" in p[2]]
    assert {p[1] for p in packs} == {"product"} and len(packs) == 2, processes
    # One worker, in Checkov's interpreter, for both stacks and both packs.
    assert [p[1] for p in workers] == ["checkov"], processes


def test_the_worker_says_hello_with_its_versions_and_shares_itself_on_a_socket():
    with WorkerClient(serve_socket=True) as owner:
        hello = owner.hello()
        assert hello["protocol"] == protocol.PROTOCOL
        assert hello["checkov"] == "3.3.30"  # Checkov's environment (scripts/setup.sh)
        assert Path(hello["executable"]).parent.parent == Path(checkov_python()).parent.parent
        socket_dir = Path(owner.socket_path).parent
        assert socket_dir.stat().st_mode & 0o777 == 0o700
        with WorkerClient(socket_path=owner.socket_path) as guest:
            assert guest.hello()["pid"] == hello["pid"]
            scan = guest.scan(_pulumi_equivalent(), None, 120)
            assert ("CKV_AWS_21", "FAILED") in {(r.check_id, r.result) for r in scan.results}
        assert owner.ping()["pid"] == hello["pid"]  # a guest leaving does not stop the worker
    assert not socket_dir.exists()


PROBE = textwrap.dedent('''
    import json, sys
    from medinfra.policies.checkov_bridge import worker
    reply, _ = worker.handle(json.dumps({"protocol": 1, "id": 1, "op": "scan",
        "resources": json.loads(sys.argv[1]), "timeout_s": 300}).encode(), {}, True)
    assert reply["ok"] and reply["result"]["results"], reply
    print(json.dumps({m: getattr(sys.modules[m], "__file__", None)
                      for m in sorted(sys.modules) if m.startswith("medinfra")}))
''')


def _imported_roots(path: str) -> set[str]:
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_worker_imports_only_the_standard_library_checkov_and_the_bridge():
    checkov_worker.worker()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([checkov_python(), "-c", PROBE, json.dumps(_pulumi_equivalent())],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout)
    assert "medinfra.policies.checkov_bridge.worker" in loaded
    allowed = set(sys.stdlib_module_names) | {"checkov", "medinfra", "__future__"}
    for module, path in loaded.items():
        if path:
            assert _imported_roots(path) <= allowed, (module, _imported_roots(path) - allowed)
