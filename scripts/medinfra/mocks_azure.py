"""Azure part of the offline planner's deterministic cloud (see `mocks.OfflineCloud`)."""

from __future__ import annotations

from collections.abc import Callable

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "00000000-0000-0000-0000-00000000aaaa"


def azure_resource(cloud, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
    """(id, computed outputs) for a new `azure-native:` resource; `h` is the URN's sha256 hex."""
    module, kind = type_.split(":")[1], type_.rsplit(":", 1)[-1]
    physical = next(
        (
            v
            for k, v in inputs.items()
            if k.endswith("Name") and k != "resourceGroupName" and isinstance(v, str)
        ),
        f"{name}{h[:6]}",
    )
    rg = inputs.get("resourceGroupName", f"{name}-rg")
    if type_ == "azure-native:resources:ResourceGroup":
        rid = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{physical}"
    else:
        collection = kind[0].lower() + kind[1:] + "s"
        rid = (
            f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{rg}"
            f"/providers/Microsoft.{module.capitalize()}/{collection}/{physical}"
        )
    return rid, {"name": physical, "id": rid}


def azure_invokes(cloud) -> dict[str, Callable[[dict], dict]]:
    """Data sources answered offline: token -> answer(args)."""
    return {
        "azure-native:authorization:getClientConfig": lambda a: {
            "clientId": "00000000-0000-0000-0000-0000000000c1",
            "objectId": "00000000-0000-0000-0000-0000000000b1",
            "subscriptionId": SUBSCRIPTION_ID,
            "tenantId": TENANT_ID,
        },
    }
