"""CycloneDX SBOM of the Python environment the gate ran in, built with cyclonedx-python-lib.

Every installed distribution is one component (name, version, purl); the root component is
MedInfra itself. Serial number and timestamp come from the run, so the same environment and run
give the same document.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import uuid

from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot5
from packageurl import PackageURL
from packaging.requirements import InvalidRequirement, Requirement

_NAMESPACE = uuid.UUID("6f0b3f0e-4d4e-4a55-9f5e-6d6564696e66")


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def installed() -> dict[str, tuple[str, list[str]]]:
    """{normalised distribution name: (version, names it requires)} of this environment."""
    found: dict[str, tuple[str, list[str]]] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name:
            found.setdefault(_normalise(name), (dist.version, _requires(dist)))
    return dict(sorted(found.items()))


def _requires(dist: importlib.metadata.Distribution) -> list[str]:
    """Names a distribution needs unconditionally here (extras left out)."""
    out = set()
    for text in dist.requires or []:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            out.add(_normalise(req.name))
    return sorted(out)


def sbom(run_id: str, timestamp: dt.datetime) -> dict:
    """The SBOM as a JSON document (CycloneDX 1.5)."""
    packages = installed()
    root = Component(
        name="medinfra",
        version=packages.get("medinfra", ("0+source", []))[0],
        type=ComponentType.APPLICATION,
        bom_ref="medinfra",
    )
    by_name = {
        name: Component(
            name=name,
            version=version,
            type=ComponentType.LIBRARY,
            bom_ref=f"pkg:pypi/{name}@{version}",
            purl=PackageURL(type="pypi", name=name, version=version),
        )
        for name, (version, _) in packages.items()
        if name != "medinfra"
    }
    bom = Bom(
        components=by_name.values(),
        serial_number=uuid.uuid5(_NAMESPACE, run_id),
        metadata=BomMetaData(component=root, timestamp=timestamp),
    )
    # The root needs what MedInfra declares; without a source install, every top-level package.
    required = {r for _, (_, reqs) in packages.items() for r in reqs}
    direct = packages["medinfra"][1] if "medinfra" in packages else sorted(
        set(by_name) - required
    )
    bom.register_dependency(root, [by_name[n] for n in direct if n in by_name])
    for name, (_, reqs) in packages.items():
        if name in by_name:
            bom.register_dependency(by_name[name], [by_name[r] for r in reqs if r in by_name])
    return json.loads(JsonV1Dot5(bom).output_as_string())
