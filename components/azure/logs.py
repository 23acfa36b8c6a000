"""`LogWorkspace`: the Log Analytics workspace every diagnostic setting of the platform uses."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from medinfra.components import PACKAGE
from medinfra.components.config import MIN_LOG_RETENTION_DAYS
from medinfra.components.validation import raise_if_invalid


@dataclass(frozen=True, kw_only=True)
class LogWorkspaceArgs:
    """Inputs of `LogWorkspace`."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the workspace."""
    location: str
    """Azure region (logs stay in the stack's region)."""
    workspace_name: str
    """Workspace name."""
    # HIPAA 164.316(b)(2): audit records kept; 730 days is the interactive maximum.
    retention_days: int = MIN_LOG_RETENTION_DAYS
    """Days logs are retained (30-730)."""


def _validate(args: LogWorkspaceArgs) -> list[tuple[str, str]]:
    if not 30 <= args.retention_days <= 730:
        return [("retentionDays", f"{args.retention_days}: must be 30 to 730")]
    return []


class LogWorkspace(pulumi.ComponentResource):
    """Log Analytics for audit and diagnostic logs: Entra ID authentication only (no shared
    keys), access by resource permissions, retained per the stack's policy."""

    def __init__(
        self, name: str, args: LogWorkspaceArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:azure:LogWorkspace", name, _validate(args))
        super().__init__(f"{PACKAGE}:azure:LogWorkspace", name, None, opts)
        self.workspace = azure.operationalinsights.Workspace(
            name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            workspace_name=args.workspace_name,
            sku={"name": "PerGB2018"},
            retention_in_days=args.retention_days,
            features={
                # No workspace keys: every writer and reader authenticates with Entra ID.
                "disable_local_auth": True,
                "enable_log_access_using_only_resource_permissions": True,
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"workspaceId": self.workspace.id})
