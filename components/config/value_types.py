"""Value types of the stack config: CIDR ranges, labels, quantities, digests, region names."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field


def parse_network(value: Any) -> ipaddress.IPv4Network | None:
    """`value` as an IPv4 network (strict: no host bits), or None if it is not one."""
    try:
        return ipaddress.IPv4Network(value, strict=True) if isinstance(value, str) else None
    except ValueError:
        return None


def _cidr(value: str) -> str:
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError):
        raise ValueError("not a valid IPv4 CIDR block; expected e.g. 10.40.0.0/16") from None
    return str(net)


def _private_cidr(value: str) -> str:
    value = _cidr(value)
    net = ipaddress.IPv4Network(value)
    if not (net.is_private or net.subnet_of(ipaddress.IPv4Network("100.64.0.0/10"))):
        raise ValueError("must be a private range (10/8, 172.16/12, 192.168/16 or 100.64/10)")
    return value


def _network_cidr(value: str) -> str:
    value = _private_cidr(value)
    if not 16 <= ipaddress.IPv4Network(value).prefixlen <= 22:
        raise ValueError("must be a /16 to /22 range so every zone gets usable subnets")
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]
NetworkCidr = Annotated[str, AfterValidator(_network_cidr)]
PrivateCidr = Annotated[str, AfterValidator(_private_cidr)]
Label = Annotated[str, Field(pattern=r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$")]
NonEmpty = Annotated[str, Field(min_length=1, max_length=256)]
Quantity = Annotated[str, Field(pattern=r"^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$")]
#: An OCI image digest: images run by digest, never by a mutable tag.
ImageDigest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
#: A model version's sha256.
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
ModelVersion = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]

#: What a region name looks like on each cloud, and how to say so.
REGION_FORMATS = {
    "aws": (re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$"), "an AWS region such as us-east-1"),
    "azure": (re.compile(r"^[a-z]+[a-z0-9]*$"), "an Azure region such as westeurope"),
    "gcp": (re.compile(r"^[a-z]+-[a-z]+\d+$"), "a GCP region such as europe-west4"),
}
#: The URI scheme a model's storage URI must use on each cloud, and how to say so.
STORAGE_SCHEMES = {
    "aws": ("s3://", "an s3:// URI"),
    "gcp": ("gs://", "a gs:// URI"),
    "azure": ("https://", "an https://<account>.blob.core.windows.net/... URI"),
}
