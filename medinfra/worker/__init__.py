"""The planner's worker: runs one Pulumi Python program under Pulumi's mock runtime and records
what it would create (`python -m medinfra.worker RESULT_FILE`, started by `medinfra.planner`).

* `monitor`: the recording resource monitor and engine, and the Inventory they yield;
* `sdk_tuning`: changes to the SDK that make offline planning fast without changing the plan;
* `errors`: where in the user's program a failure happened, and how to say what it was;
* `__main__`: reads the request, runs the program, writes the result.

Wire values are decoded by `medinfra.policies.wire`, shared with the policy pack.
"""
