"""CKV_MED_AZURE_1: a storage account disallows public blob access (CKV_AZURE_190, for ARM).

Checkov checks Terraform's `allow_nested_items_to_be_public` (CKV_AZURE_190) but has no ARM
check on the same setting, `properties.allowBlobPublicAccess`. Only an explicit `false` passes:
older API versions, and accounts created before November 2023, default to allowing anonymous
blob reads, so a missing value is a failure (Checkov's `missing_block_result = FAILED`).
"""

from __future__ import annotations

from typing import Any

from checkov.arm.base_resource_value_check import BaseResourceValueCheck
from checkov.common.models.enums import CheckCategories

GUIDELINE = "docs/checkov-custom-checks.md#ckv_med_azure_1"


class StorageBlobPublicAccessDisabled(BaseResourceValueCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure that Storage accounts disallow public blob access",
            id="CKV_MED_AZURE_1",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=("Microsoft.Storage/storageAccounts",),
            guideline=GUIDELINE,
        )

    def get_inspected_key(self) -> str:
        return "properties/allowBlobPublicAccess"

    def get_expected_value(self) -> Any:
        return False


check = StorageBlobPublicAccessDisabled()
