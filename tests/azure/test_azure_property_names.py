"""Every input property of every planned Azure resource is one the provider SDK declares."""

from __future__ import annotations

import pytest

from tests.sdk_schema import CUSTOM_RESOURCE_TYPES, input_names, unknown_properties


@pytest.mark.parametrize("stack", ["azure_prod", "azure_dev"])
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
    assert sum(t.startswith("azure-native:") for t in checked) >= 24


def test_the_walker_catches_a_typo_at_any_depth_in_azure_native_inputs():
    account = "azure-native:storage:StorageAccount"
    props = {
        "accountName": "a",
        "encryption": {
            "keySource": "Microsoft.Keyvault",
            "keyVaultProperties": {"keyName": "data", "keyVaultURI": "https://v"},
        },
        "minimumTLSVersion": "TLS1_2",
    }
    assert sorted(unknown_properties(account, props)) == [
        "/encryption/keyVaultProperties/keyVaultURI",
        "/minimumTLSVersion",
    ]
    assert "tags" in input_names(account)
    assert "tags" not in input_names("azure-native:storage:BlobContainer")
