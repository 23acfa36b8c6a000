"""Every input property of every planned GCP resource is one the provider SDK declares."""

from __future__ import annotations

import pytest

from tests.sdk_schema import CUSTOM_RESOURCE_TYPES, unknown_properties


@pytest.mark.parametrize("stack", ["gcp_prod", "gcp_dev"])
def test_every_prop_is_declared_by_the_sdk(request, stack):
    inventory = request.getfixturevalue(stack)
    checked = set()
    for resource in inventory.resources:
        if resource["provider"] is None:  # components and the stack have no SDK inputs
            continue
        if resource["type"] in CUSTOM_RESOURCE_TYPES:  # CRD-validated in tests/k8s
            continue
        assert unknown_properties(resource["type"], resource["props"]) == [], resource["urn"]
        checked.add(resource["type"])
    assert len({t for t in checked if t.startswith("gcp:")}) >= 18


def test_the_walker_catches_a_typo_in_a_gke_node_pool():
    props = {
        "cluster": "c",
        "nodeConfig": {
            "shieldedInstanceConfig": {"enableSecureBoot": True, "enableSecurBoot": True},
            "guestAccelerators": [{"type": "nvidia-l4", "count": 1, "gpuDriver": {}}],
        },
    }
    assert sorted(unknown_properties("gcp:container/nodePool:NodePool", props)) == [
        "/nodeConfig/guestAccelerators/0/gpuDriver",
        "/nodeConfig/shieldedInstanceConfig/enableSecurBoot",
    ]
