"""The policy section of the stack config: how this stack's gate enforces rules."""

from __future__ import annotations

from typing import Annotated, Literal

from medinfra.components.config.base import SectionModel
from medinfra.components.config.constants import MIN_LOG_RETENTION_DAYS
from medinfra.components.config.value_types import NonEmpty
from pydantic import Field


class CheckovSelection(SectionModel):
    """Which Checkov checks the gate runs on this stack."""

    checks: list[Annotated[str, Field(pattern=r"^CKV2?_(MED_)?[A-Z0-9*]+(_[0-9*]+)?$")]] = Field(
        default_factory=list
    )
    """Check ids (or Checkov globs such as CKV_AWS_*) to run; empty runs every check."""
    skip_checks: list[Annotated[str, Field(pattern=r"^CKV2?_(MED_)?[A-Z0-9]+_\d+$")]] = Field(
        default_factory=list
    )
    """Check ids not to run. On PHI stacks a check of our control families always runs (the
    skip is ignored and reported); exceptions for one resource are waivers."""


class PolicySettings(SectionModel):
    """How this stack's policy gate enforces rules."""

    enforcement: dict[
        Annotated[str, Field(pattern=r"^(MED-[A-Z]{2,5}-\d{3}|CKV2?_(MED_)?[A-Z0-9]+_\d+)$")],
        Literal["mandatory", "advisory"],
    ] = Field(default_factory=dict)
    """Rule id -> mandatory|advisory. On PHI stacks a rule is never made weaker than its
    default (such an override is ignored and reported)."""
    required_tags: dict[NonEmpty, list[NonEmpty]] = Field(default_factory=dict)
    """Tag name -> allowed values (empty: any non-empty value) this stack requires on top of
    the organisation's (the policy-pack config's requiredTags, else MedInfra's built-in names):
    it may add names or narrow a name's allowed values, never widen them."""
    allowed_external_keys: list[NonEmpty] = Field(default_factory=list)
    """Customer-managed keys from outside this stack (ARNs, Key Vault key URIs, Cloud KMS key
    names) that may encrypt its data; every other key must be created by the stack."""
    min_log_retention_days: int = Field(default=MIN_LOG_RETENTION_DAYS, ge=1, le=3653)
    """Shortest retention the gate accepts for log groups, workspaces and log buckets. With
    the organisation's logRetentionDays (policy-pack config) it may only raise it."""
    checkov: CheckovSelection = Field(default_factory=CheckovSelection)
    """Checkov check selection."""
