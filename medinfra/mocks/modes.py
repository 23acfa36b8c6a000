"""How `medinfra preview` models the engine's answers (see medinfra.mocks.preview)."""

NEW_STACK, EXISTING_STACK, SYNTHETIC = "new-stack", "existing-stack", "synthetic"
MODES = (NEW_STACK, EXISTING_STACK, SYNTHETIC)
