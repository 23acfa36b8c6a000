"""The policy pack's manifest: which rules, byte for byte, a released pack enforces.

`policies/manifest.json` records the pack's name and version (PulumiPolicy.yaml), the sha256 of
every rule file -- the OPA bundle under rego/ (rules, their tests, the shared library), our
custom Checkov checks, the pack definition -- and of the whole rule bundle, and the sha256 of the
lock files the pack was released with. `medinfra policies verify` recomputes it from the files
this installation runs and names every file that differs, is missing or is not recorded.

The source commit: a manifest committed to the repository cannot hold the SHA of the commit that
contains it, so the committed manifest records none (`"commit": null`). A release stamps it in
a clean checkout of the commit being released (`medinfra policies manifest --source-commit SHA`,
refused if any recorded file differs from that commit) before the wheel is built, so the wheel
and the evidence bundles made with it carry the commit. The Python gate code is identified by
that commit, and in a wheel by the sha256 of every file in its RECORD, which pip checks.

The bundle digest is reproducible with coreutils: it is the sha256 of `sha256sum`'s output for
the recorded rule files, paths relative to policies/, sorted by path (byte order).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import yaml

POLICIES_DIR = Path(__file__).resolve().parent
MANIFEST_FILE = POLICIES_DIR / "manifest.json"
FORMAT = "medinfra-policy-manifest/1"
# What the pack enforces, relative to policies/ (globs).
RULE_FILES = ("PulumiPolicy.yaml", "rego/**/*.rego", "checkov_bridge/checks/**/*.py")
# Relative to the source checkout; a wheel ships none, so there they are recorded, not checked.
LOCK_FILES = ("requirements*.lock", "checkov.lock", "scripts/installer.lock")
COMMIT = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


class ManifestError(Exception):
    """The manifest cannot be read, or a release cannot be stamped (bad input)."""


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rule_files(policies: Path = POLICIES_DIR) -> dict[str, str]:
    """{path relative to policies/: sha256} of every rule file, sorted by path."""
    found = {
        p.relative_to(policies).as_posix(): p
        for pattern in RULE_FILES
        for p in policies.glob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    }
    return {name: sha256_file(found[name]) for name in sorted(found)}


def lock_files(source_root: Path | None) -> dict[str, str]:
    """{path relative to the checkout: sha256} of the lock files (none outside a checkout)."""
    if source_root is None:
        return {}
    found = {
        p.relative_to(source_root).as_posix(): p
        for pattern in LOCK_FILES
        for p in source_root.glob(pattern)
        if p.is_file()
    }
    return {name: sha256_file(found[name]) for name in sorted(found)}


def bundle_digest(files: dict[str, str]) -> str:
    """sha256 of the `sha256sum` listing of `files` (two spaces, one line each, byte order)."""
    listing = "".join(f"{digest}  {name}\n" for name, digest in sorted(files.items()))
    return hashlib.sha256(listing.encode()).hexdigest()


def _pack(policies: Path) -> dict[str, str]:
    try:
        pack = yaml.safe_load((policies / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
        return {"name": str(pack["name"]), "version": str(pack["version"])}
    except (OSError, yaml.YAMLError, TypeError, KeyError) as exc:
        raise ManifestError(
            f"{policies / 'PulumiPolicy.yaml'}: no pack name and version ({exc})"
        ) from None


def build(
    policies: Path = POLICIES_DIR, source_root: Path | None = None, commit: str | None = None
) -> dict:
    """The manifest of the files under `policies` (and the locks of `source_root`)."""
    files = rule_files(policies)
    return {
        "format": FORMAT,
        "pack": _pack(policies),
        "source": {"commit": commit},
        "bundle": {"sha256": bundle_digest(files), "files": len(files)},
        "files": files,
        "locks": lock_files(source_root),
    }


def check_commit(
    commit: str, manifest: dict, source_root: Path, policies: Path = POLICIES_DIR
) -> None:
    """Refuse to stamp `commit` unless every recorded file is as that commit has it."""
    if not COMMIT.match(commit):
        raise ManifestError(f"--source-commit {commit!r}: a full commit SHA (40 hex digits)")
    folder = policies.relative_to(source_root).as_posix()
    paths = [f"{folder}/{name}" for name in manifest["files"]] + list(manifest["locks"])
    try:
        done = subprocess.run(
            ["git", "diff", "--name-only", commit, "--", *paths],
            cwd=source_root, capture_output=True, text=True, timeout=60,
        )
        untracked = subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard", "--", *paths],
            cwd=source_root, capture_output=True, text=True, timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ManifestError(f"--source-commit: cannot compare with git: {exc}") from None
    if done.returncode != 0:
        why = done.stderr.strip().splitlines()[-1:] or ["git failed"]
        raise ManifestError(f"--source-commit {commit}: {why[0]}")
    changed = sorted(set(done.stdout.split()) | set(untracked.stdout.split()))
    if changed:
        raise ManifestError(
            f"--source-commit {commit}: these files differ from that commit: {', '.join(changed)}"
        )


def load(path: Path = MANIFEST_FILE) -> dict:
    """A manifest file, checked for shape (ManifestError names what is wrong)."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read the manifest ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ManifestError(f"{path}: not JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ManifestError(f"{path}: not a policy manifest (format must be {FORMAT!r})")
    for key in ("files", "locks"):
        table = manifest.get(key)
        if not isinstance(table, dict) or not all(
            isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v) for v in table.values()
        ):
            raise ManifestError(f"{path}: {key!r} must map file names to sha256 hex digests")
    bundle = manifest.get("bundle")
    if not isinstance(bundle, dict) or not isinstance(bundle.get("sha256"), str):
        raise ManifestError(f"{path}: 'bundle' must hold the bundle's sha256")
    if not isinstance(manifest.get("pack"), dict) or not isinstance(manifest.get("source"), dict):
        raise ManifestError(f"{path}: 'pack' and 'source' must be objects")
    return manifest


def verify(
    manifest: dict, policies: Path = POLICIES_DIR, source_root: Path | None = None
) -> list[str]:
    """Every difference between `manifest` and the files here, one sentence each (none: ok)."""
    problems = []
    actual = rule_files(policies)
    recorded = manifest["files"]
    for name in sorted(set(recorded) | set(actual)):
        where = f"policies/{name}"
        if name not in actual:
            problems.append(f"{where}: recorded in the manifest but missing")
        elif name not in recorded:
            problems.append(f"{where}: not in the manifest")
        elif actual[name] != recorded[name]:
            problems.append(f"{where}: sha256 {actual[name]} but the manifest records "
                            f"{recorded[name]}")
    if bundle_digest(recorded) != manifest["bundle"]["sha256"]:
        problems.append("manifest: the bundle digest does not match its own file list")
    if manifest["pack"] != _pack(policies):
        problems.append(f"policies/PulumiPolicy.yaml: pack {_pack(policies)} but the manifest "
                        f"records {manifest['pack']}")
    if source_root is not None:
        locks = lock_files(source_root)
        for name in sorted(set(manifest["locks"]) | set(locks)):
            if name not in locks:
                problems.append(f"{name}: recorded in the manifest but missing")
            elif name not in manifest["locks"]:
                problems.append(f"{name}: not in the manifest")
            elif locks[name] != manifest["locks"][name]:
                problems.append(f"{name}: sha256 {locks[name]} but the manifest records "
                                f"{manifest['locks'][name]}")
    return problems


def write(path: Path, manifest: dict) -> None:
    """Write the manifest as stable, reviewable JSON."""
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def reference(path: Path = MANIFEST_FILE) -> dict:
    """What an evidence bundle records to name the pack it was judged by: the manifest's own
    sha256 and its pack, bundle digest and source commit (ManifestError if unreadable)."""
    manifest = load(path)
    return {
        "manifest_sha256": sha256_file(path),
        "pack": manifest["pack"],
        "bundle_sha256": manifest["bundle"]["sha256"],
        "source_commit": manifest["source"].get("commit"),
    }
