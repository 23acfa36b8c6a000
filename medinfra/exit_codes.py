"""Exit codes of every `medinfra` command (DESIGN.md): 0 allowed, 1 blocked by policy, 2 invalid
input or configuration, 3 the gate could not run (fail closed); 4 (live audit) drift."""

EXIT_ALLOW, EXIT_BLOCK, EXIT_INPUT, EXIT_GATE = 0, 1, 2, 3
