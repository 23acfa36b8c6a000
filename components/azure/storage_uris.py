"""Where an Azure platform's data lives: the storage account name of each object store, and the
store and blob prefix of each model, read from its `https://<account>.blob.core.windows.net/...`
storage URIs. Pure functions of the `PlatformConfig`; no resources here."""

from __future__ import annotations

from urllib.parse import urlparse

from medinfra.components.config import PlatformConfig
from medinfra.components.config.serving import model_places
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

    def locate(storage_uri: str) -> tuple[str, str] | None:
        uri = urlparse(storage_uri)
        container, _, path = uri.path.lstrip("/").partition("/")
        if uri.scheme != "https" or not uri.netloc.endswith(BLOB_SUFFIX):
            return None
        store = accounts.get(uri.netloc.removesuffix(BLOB_SUFFIX))
        if store is None or container != store:
            return None
        return store, path.strip("/")

    expected = ", ".join(f"https://{a}{BLOB_SUFFIX}/{s}/..." for a, s in accounts.items())
    places, problems = model_places(config.models, locate, expected)
    return {name: sorted(p)[0] for name, p in places.items()}, problems
