"""Where an Azure platform's data lives: the storage account name of each object store, and the
store and blob prefix of each model, read from its `https://<account>.blob.core.windows.net/...`
storage URIs. Pure functions of the `PlatformConfig`; no resources here."""

from __future__ import annotations

from urllib.parse import urlparse

from medinfra.components.config import PlatformConfig
from medinfra.components.config.serving import deployed_keys
from medinfra.components.naming import physical_name

BLOB_SUFFIX = ".blob.core.windows.net"


def store_accounts(prefix: str, config: PlatformConfig) -> dict[str, str]:
    """Store name -> globally unique storage account name (3-24 lowercase letters/digits)."""
    return {
        s.name: physical_name(prefix, s.name, max_len=24, sep="") for s in config.object_stores
    }


def model_locations(prefix: str, config: PlatformConfig) -> tuple[dict, list[tuple[str, str]]]:
    """Model name -> (store name, blob prefix); and problems for URIs outside our stores.

    A store is one account and one container named after the store, so a model URI must be
    `https://<account>.blob.core.windows.net/<store>/<path>`.
    """
    accounts = {v: k for k, v in store_accounts(prefix, config).items()}
    found, problems = {}, []
    for i, model in enumerate(config.models):
        places = set()
        for key, version in deployed_keys(i, model):
            uri = urlparse(version.storage_uri)
            account = uri.netloc.removesuffix(BLOB_SUFFIX)
            container, _, path = uri.path.lstrip("/").partition("/")
            store = accounts.get(account) if uri.netloc.endswith(BLOB_SUFFIX) else None
            if uri.scheme != "https" or store is None or container != store:
                expected = ", ".join(
                    f"https://{a}{BLOB_SUFFIX}/{s}/..." for a, s in accounts.items())
                problems.append(
                    (key, f"{version.storage_uri} is not in a store of this stack ({expected})")
                )
                continue
            places.add((store, path.strip("/")))
        stores = {store for store, _ in places}
        if len(stores) > 1:
            listed = ", ".join(sorted(stores))
            problems.append((f"models[{i}].versions", f"prod and canary are in different stores "
                             f"({listed}); keep a model's versions in one store"))
        elif places:
            found[model.name] = sorted(places)[0]
    return found, problems
