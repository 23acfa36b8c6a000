"""A model's versions through their lifecycle (candidate -> canary -> prod), the approval bound
to each artefact, the previous prod versions a rollback may return to, and the promotion log.

Pure models and relation checks; `medinfra promote` edits these keys, `Model` serves them and
MED-SRV-006 judges them from the Inventory's config.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from medinfra.components.config.base import SectionModel
from medinfra.components.config.value_types import (
    ImageDigest,
    ModelVersion,
    NonEmpty,
    Sha256,
)
from pydantic import AfterValidator, Field

STAGES = ("candidate", "canary", "prod")
#: Keys of the single-version (legacy) form, which `versions` replaces.
SINGLE_VERSION_KEYS = ("version", "storageUri", "sha256", "imageDigest", "canaryPercent",
                       "approval")


def _iso_date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a date; expected a quoted YYYY-MM-DD") from None
    if len(value) != 10:
        raise ValueError("expected a quoted YYYY-MM-DD")
    return value


#: A calendar day, written as a quoted "YYYY-MM-DD" (the strict loader refuses unquoted dates).
IsoDate = Annotated[str, AfterValidator(_iso_date)]


class ModelApproval(SectionModel):
    """Who approved a model version for clinical use, under which ticket, for which artefact."""

    ticket: NonEmpty
    """Change/approval ticket."""
    approved_by: NonEmpty
    """Who approved the model for clinical use."""
    date: IsoDate | None = None
    """Day of the approval ("YYYY-MM-DD")."""
    expires: IsoDate | None = None
    """Last day the approval holds ("YYYY-MM-DD"); none: until revoked."""
    sha256: Sha256 | None = None
    """sha256 of the approved model artefact: the approval holds for exactly these weights."""
    image_digest: ImageDigest | None = None
    """Digest of the approved model-server image: the approval holds for exactly this image."""


class ModelVersionSpec(SectionModel):
    """One immutable version of a model (weights by sha256, server image by digest) at a stage."""

    version: ModelVersion
    stage: Literal["candidate", "canary", "prod"]
    """candidate: recorded, not served; canary: a share of the traffic; prod: the rest."""
    storage_uri: NonEmpty
    sha256: Sha256
    image_digest: ImageDigest
    """Digest (sha256:<64 hex>) of the model-server image in this stack's registry."""
    canary_traffic_percent: int | None = Field(default=None, ge=0, le=100)
    """Share of the traffic the canary gets (canary only; Knative mode only)."""
    approval: ModelApproval | None = None


class ReleasedVersion(SectionModel):
    """A version that served as prod before: what `promote rollback` may return to."""

    version: ModelVersion
    storage_uri: NonEmpty
    sha256: Sha256
    image_digest: ImageDigest
    approval: ModelApproval
    """The approval it served under (a rollback target must have been approved)."""
    retired: IsoDate | None = None
    """Day it stopped serving as prod."""


class PromotionRecord(SectionModel):
    """One step of `medinfra promote`, kept in the stack file (and so in the evidence bundle)."""

    date: IsoDate
    action: Literal["add", "canary", "prod", "rollback"]
    version: ModelVersion
    sha256: Sha256
    image_digest: ImageDigest
    ticket: str | None = None
    canary_traffic_percent: int | None = None


def _stage_counts(versions: list[Any]) -> dict[str, int]:
    counts = dict.fromkeys(STAGES, 0)
    for v in versions:
        if isinstance(v, Mapping) and v.get("stage") in counts:
            counts[v["stage"]] += 1
    return counts


def version_relations(model: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """Between the keys of one model (alias-keyed): the single-version form or `versions`, never
    both; exactly one prod version, at most one canary; a traffic share only on the canary;
    version names unique; an approval bound to an artefact names that artefact."""
    versions = model.get("versions")
    out: list[tuple[str, Any, str]] = []
    if versions is None:
        for key in ("storageUri", "sha256", "imageDigest", "version"):
            if model.get(key) is None:
                out.append((key, None, "missing; required unless the model lists versions"))
        return out
    if not isinstance(versions, list):
        return out
    for key in SINGLE_VERSION_KEYS:
        if model.get(key) is not None:
            out.append((key, model[key], "not allowed beside versions: set it on a version"))
    counts = _stage_counts(versions)
    if counts["prod"] != 1:
        out.append(("versions", f"{counts['prod']} prod", "exactly one version has stage prod"))
    if counts["canary"] > 1:
        out.append(("versions", f"{counts['canary']} canary", "at most one version is canary"))
    seen: set[str] = set()
    for i, v in enumerate(versions):
        if not isinstance(v, Mapping):
            continue
        name = v.get("version")
        if isinstance(name, str):
            if name in seen:
                out.append((f"versions[{i}].version", name, "version names must be unique"))
            seen.add(name)
        percent = v.get("canaryTrafficPercent")
        if v.get("stage") == "canary" and percent is None:
            out.append((f"versions[{i}].canaryTrafficPercent", None,
                        "missing; a canary needs its traffic share (0-100)"))
        if v.get("stage") != "canary" and percent is not None:
            out.append((f"versions[{i}].canaryTrafficPercent", percent,
                        f"only a canary has a traffic share; this version is {v.get('stage')}"))
        out += [(f"versions[{i}].approval.{k}", got, why)
                for k, got, why in approval_mismatches(v)]
    for i, v in enumerate(model.get("previousProd") or []):
        if isinstance(v, Mapping):
            out += [(f"previousProd[{i}].approval.{k}", got, why)
                    for k, got, why in approval_mismatches(v)]
    return out


def approval_mismatches(version: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """Where a version's approval names another artefact than the version's own."""
    approval = version.get("approval")
    if not isinstance(approval, Mapping):
        return []
    out = []
    for key in ("sha256", "imageDigest"):
        bound = approval.get(key)
        if bound is not None and bound != version.get(key):
            out.append((key, bound, f"the approval is for another artefact; this version's "
                        f"{key} is {version.get(key)}"))
    return out


def approval_problem(approval: Mapping[str, Any] | None, version: Mapping[str, Any],
                     today: dt.date) -> str | None:
    """Why `approval` does not let `version` take prod traffic on `today` (None: it does)."""
    if not isinstance(approval, Mapping):
        return "it has no approval"
    for key in ("ticket", "approvedBy", "date", "sha256", "imageDigest"):
        if not approval.get(key):
            return f"its approval has no {key}"
    for key in ("sha256", "imageDigest"):
        if approval[key] != version.get(key):
            return f"its approval is for {key} {approval[key]}, not {version.get(key)}"
    expires = approval.get("expires")
    if expires:
        try:
            if dt.date.fromisoformat(expires) < today:
                return f"its approval expired on {expires} (today is {today.isoformat()})"
        except ValueError:
            return f"its approval's expires {expires!r} is not a YYYY-MM-DD date"
    return None
