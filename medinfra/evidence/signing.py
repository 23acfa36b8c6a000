"""Ed25519 signatures over a bundle's manifest (the `cryptography` package).

The private key is a PEM file (PKCS#8, unencrypted: `openssl genpkey -algorithm ed25519`),
named by `--signing-key PATH` or by $MEDINFRA_EVIDENCE_SIGNING_KEY (a path). The public key that
verifies it is the matching PEM (`openssl pkey -in key.pem -pubout`).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from medinfra.evidence.files import EvidenceError

KEY_ENV = "MEDINFRA_EVIDENCE_SIGNING_KEY"


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise EvidenceError(f"{what} {path}: cannot be read ({exc.strerror})") from None


def signing_key(path: Path | None) -> Ed25519PrivateKey | None:
    """The key named by `path`, else by $MEDINFRA_EVIDENCE_SIGNING_KEY, else None (unsigned)."""
    if path is None and os.environ.get(KEY_ENV):
        path = Path(os.environ[KEY_ENV])
    if path is None:
        return None
    try:
        key = serialization.load_pem_private_key(_read(path, "signing key"), password=None)
    except (ValueError, TypeError):
        raise EvidenceError(
            f"signing key {path}: not an unencrypted PEM private key "
            "(make one with: openssl genpkey -algorithm ed25519 -out key.pem)"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise EvidenceError(f"signing key {path}: not an Ed25519 key")
    return key


def public_key(path: Path) -> Ed25519PublicKey:
    """The PEM public key at `path` (EvidenceError naming what is wrong)."""
    try:
        key = serialization.load_pem_public_key(_read(path, "public key"))
    except (ValueError, TypeError):
        raise EvidenceError(f"public key {path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise EvidenceError(f"public key {path}: not an Ed25519 key")
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """sha256 of the raw public key: names the key in a manifest without holding it."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    """The signature file's content: base64 of the 64-byte signature, one line."""
    return base64.b64encode(key.sign(data)) + b"\n"


def check(key: Ed25519PublicKey, data: bytes, signature_file: bytes) -> bool:
    try:
        signature = base64.b64decode(signature_file.strip(), validate=True)
        key.verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
