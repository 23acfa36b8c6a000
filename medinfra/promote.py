"""Model promotion on a stack file's text: add a candidate, move it to canary, promote it to prod,
roll back. Pure (text in, text out): ruamel.yaml's round trip keeps every comment, key order and
quote style outside the keys a step changes; `promote_command` reads and writes the file.

Every refusal is a `PromotionError` naming the stack-file key, the bad value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

from medinfra.components.config.checks import CANARY_NEEDS_KNATIVE
from medinfra.components.config.model_versions import SINGLE_VERSION_KEYS, approval_problem

ACTIONS = ("add", "canary", "prod", "rollback")
MODELS_KEY = "medinfra:models"


class PromotionError(Exception):
    """A step that is not allowed: `key` (in the stack file), `value`, and what is allowed."""

    def __init__(self, key: str, value: Any, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key}: got {value!r}; {allowed}")


@dataclass(frozen=True, kw_only=True)
class Step:
    """One promotion step, as the command line gives it."""

    action: str
    model: str
    version: str | None = None
    storage_uri: str | None = None
    sha256: str | None = None
    image_digest: str | None = None
    percent: int | None = None
    ticket: str | None = None
    approved_by: str | None = None
    approved_on: str | None = None
    expires: str | None = None
    today: dt.date = dt.date(1970, 1, 1)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line the user wrote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _find_model(config: CommentedMap, name: str) -> tuple[int, CommentedMap]:
    models = config.get(MODELS_KEY)
    if not isinstance(models, list):
        raise PromotionError(MODELS_KEY, None, "the stack configures no models")
    names = [m.get("name") for m in models if isinstance(m, dict)]
    for i, m in enumerate(models):
        if isinstance(m, dict) and m.get("name") == name:
            return i, m
    raise PromotionError("--model", name,
                         f"one of the stack's models: {', '.join(map(str, names))}")


def _to_versions(model: CommentedMap) -> CommentedSeq:
    """The model's `versions`, converting the single-version form in place (one prod version
    carrying the keys it had, at the position of the first of them)."""
    if isinstance(model.get("versions"), list):
        return model["versions"]
    first = next((k for k in model if k in SINGLE_VERSION_KEYS), None)
    position = list(model).index(first) if first is not None else len(model)
    entry = CommentedMap()
    entry["version"] = Quoted(str(model.get("version")))
    entry["stage"] = "prod"
    for key in ("storageUri", "sha256", "imageDigest", "approval"):
        if key in model:
            entry[key] = model[key]
    for key in SINGLE_VERSION_KEYS:
        model.pop(key, None)
    versions = CommentedSeq([entry])
    model.insert(position, "versions", versions)
    return versions


def _approval(step: Step, version: dict, key: str, required: bool) -> CommentedMap | None:
    """The approval for `version`: from the step's flags, bound to this artefact, or the one the
    version already carries. None when not required and not given."""
    if step.ticket or step.approved_by:
        missing = [f for f, v in (("--ticket", step.ticket), ("--approved-by", step.approved_by))
                   if not v]
        if missing:
            raise PromotionError(missing[0], None, "an approval needs --ticket and --approved-by")
        approval = CommentedMap()
        approval["ticket"] = step.ticket
        approval["approvedBy"] = step.approved_by
        approval["date"] = Quoted(step.approved_on or step.today.isoformat())
        if step.expires:
            approval["expires"] = Quoted(step.expires)
        approval["sha256"] = version["sha256"]
        approval["imageDigest"] = version["imageDigest"]
    else:
        approval = version.get("approval")
    if approval is None and not required:
        return None
    problem = approval_problem(approval, version, step.today)
    if problem:
        raise PromotionError(f"{key}.approval", dict(approval) if approval else None,
                             f"prod traffic needs an approval bound to this version's sha256 and "
                             f"imageDigest, unexpired ({problem}); pass --ticket, --approved-by "
                             f"[--approved-on, --expires]")
    return approval


def _log(model: CommentedMap, step: Step, version: dict, ticket: str | None = None) -> None:
    log = model.get("promotions")
    if not isinstance(log, list):
        log = CommentedSeq()
        model["promotions"] = log
    record = CommentedMap()
    record["date"] = Quoted(step.today.isoformat())
    record["action"] = step.action
    record["version"] = Quoted(str(version["version"]))
    record["sha256"] = version["sha256"]
    record["imageDigest"] = version["imageDigest"]
    if ticket:
        record["ticket"] = ticket
    if step.action == "canary":
        record["canaryTrafficPercent"] = step.percent
    log.append(record)


def _version(versions: list, name: str | None, key: str) -> tuple[int, CommentedMap]:
    if name is None:
        raise PromotionError("--version", None, "name the version to move")
    for j, v in enumerate(versions):
        if isinstance(v, dict) and str(v.get("version")) == name:
            return j, v
    known = ", ".join(f"{v.get('version')} ({v.get('stage')})" for v in versions)
    raise PromotionError(f"{key}.versions", name, f"one of the model's versions: {known}")


def _add(model, versions, step, key) -> dict:
    for flag, value in (("--version", step.version), ("--storage-uri", step.storage_uri),
                        ("--sha256", step.sha256), ("--image-digest", step.image_digest)):
        if not value:
            raise PromotionError(flag, None, "a candidate needs its version, storage URI, "
                                 "sha256 and image digest")
    if any(str(v.get("version")) == step.version for v in versions):
        raise PromotionError(f"{key}.versions", step.version, "a new version name")
    entry = CommentedMap()
    entry["version"] = Quoted(step.version)
    entry["stage"] = "candidate"
    entry["storageUri"] = step.storage_uri
    entry["sha256"] = step.sha256
    entry["imageDigest"] = step.image_digest
    versions.append(entry)
    return entry


def _canary(config, model, versions, step, key, prod_env) -> dict:
    mode = (config.get("medinfra:serving") or {}).get("deploymentMode", "Standard")
    if mode != "Knative":
        raise PromotionError("medinfra:serving.deploymentMode", mode,
                             CANARY_NEEDS_KNATIVE.format(mode=mode))
    if step.percent is None or not 0 <= step.percent <= 100:
        raise PromotionError("--percent", step.percent, "the canary's traffic share, 0 to 100")
    j, entry = _version(versions, step.version, key)
    where = f"{key}.versions[{j}]"
    if entry.get("stage") not in ("candidate", "canary"):
        raise PromotionError(f"{where}.stage", entry.get("stage"),
                             "only a candidate (or the canary, to change its share) moves to "
                             "canary")
    other = [v for v in versions if v.get("stage") == "canary" and v is not entry]
    if other:
        raise PromotionError(f"{key}.versions", f"{other[0].get('version')} is canary",
                             "one canary at a time: promote or roll back the current one first")
    approval = _approval(step, entry, where, required=prod_env and step.percent > 0)
    entry["stage"] = "canary"
    entry["canaryTrafficPercent"] = step.percent
    if approval is not None:
        entry["approval"] = approval
    return entry


def _retire(model: CommentedMap, current: CommentedMap, step: Step) -> None:
    """Keep the outgoing prod version as a rollback target, if it was approved for its
    artefact (a rollback may only return to an approved version)."""
    if approval_problem(current.get("approval"), current, dt.date.min):
        return
    history = model.get("previousProd")
    if not isinstance(history, list):
        history = CommentedSeq()
        model["previousProd"] = history
    kept = CommentedMap()
    for k in ("version", "storageUri", "sha256", "imageDigest", "approval"):
        kept[k] = current[k]
    kept["retired"] = Quoted(step.today.isoformat())
    history.append(kept)


def _prod(model, versions, step, key) -> dict:
    j, entry = _version(versions, step.version, key)
    where = f"{key}.versions[{j}]"
    if entry.get("stage") not in ("candidate", "canary"):
        raise PromotionError(f"{where}.stage", entry.get("stage"),
                             "only a candidate or the canary can be promoted to prod")
    approval = _approval(step, entry, where, required=True)
    current = next(v for v in versions if v.get("stage") == "prod")
    _retire(model, current, step)
    versions.remove(current)
    entry["stage"] = "prod"
    entry.pop("canaryTrafficPercent", None)
    entry["approval"] = approval
    return entry


def _rollback(model, versions, step, key) -> dict:
    history = model.get("previousProd")
    if not isinstance(history, list) or not history:
        raise PromotionError(f"{key}.previousProd", None,
                             "a rollback needs a previously approved prod version; there is none")
    target = history[-1]
    where = f"{key}.previousProd[{len(history) - 1}]"
    problem = approval_problem(target.get("approval"), target, step.today)
    if problem:
        raise PromotionError(f"{where}.approval", dict(target.get("approval") or {}) or None,
                             f"a rollback target must be approved for its artefact ({problem})")
    current = next(v for v in versions if v.get("stage") == "prod")
    restored = CommentedMap()
    for k in ("version", "storageUri", "sha256", "imageDigest"):
        restored[k] = target[k]
    restored.insert(1, "stage", "prod")
    restored["approval"] = target["approval"]
    history.pop()
    if not history:
        del model["previousProd"]
    versions[versions.index(current)] = restored
    return restored


def apply(text: str, step: Step) -> tuple[str, dict]:
    """The stack file's text after `step`, and the promotion record it logged."""
    yaml = _yaml()
    doc = yaml.load(text)
    config = doc.get("config") if isinstance(doc, dict) else None
    if not isinstance(config, dict):
        raise PromotionError("config", None, "a stack file with a config mapping")
    i, model = _find_model(config, step.model)
    key = f"{MODELS_KEY}[{i}]"
    versions = _to_versions(model)
    prod_env = config.get("medinfra:environment") == "prod"
    if step.action == "add":
        entry = _add(model, versions, step, key)
    elif step.action == "canary":
        entry = _canary(config, model, versions, step, key, prod_env)
    elif step.action == "prod":
        entry = _prod(model, versions, step, key)
    else:
        entry = _rollback(model, versions, step, key)
    approval = entry.get("approval") or {}
    _log(model, step, entry, approval.get("ticket"))
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue(), dict(model["promotions"][-1])
