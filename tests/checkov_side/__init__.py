"""Test code that must run where Checkov is: in Checkov's interpreter (.venv-checkov, or
$MEDINFRA_CHECKOV_PYTHON), never in the pytest process (MedInfra's environment has no Checkov).

A test calls `tests.checkov_worker.in_checkov(module, function, payload)`: the interpreter runs
`python -m tests.checkov_side <module> <function>` with PYTHONPATH=<repo>, the function gets the
JSON payload read from stdin, and its JSON-able return value comes back on stdout. The modules
here import only the standard library, Checkov and medinfra.policies.checkov_bridge (what the
Checkov worker itself may import); the assertions stay in the product-side test modules.
"""
