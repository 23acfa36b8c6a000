"""Custom checks for Checkov's ARM framework (`checkov.arm.registry.arm_resource_registry`)."""
