"""`Keys`: a Cloud KMS key ring with one rotating crypto key per purpose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

#: Purposes and which services' agents encrypt with that key (they get EncrypterDecrypter).
PURPOSE_AGENTS: dict[str, tuple[str, ...]] = {
    "data": ("storage.googleapis.com", "artifactregistry.googleapis.com"),
    "secrets": ("container.googleapis.com",),  # GKE application-layer secrets encryption
    "volumes": ("compute.googleapis.com",),  # node boot disks
}
ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
#: 90 days: the longest rotation period the platform accepts (CIS GCP 1.10).
MAX_ROTATION_SECONDS = 90 * 24 * 3600


@dataclass(frozen=True, kw_only=True)
class KeysArgs:
    """Inputs of `Keys`."""

    prefix: str
    """Key ring name, e.g. medinfra-gcp-prod."""
    location: str
    """Region of the key ring (the same region as the data it protects)."""
    agents: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """API -> IAM member of its service agent (from `ProjectServices.agents`)."""
    project: str | None = None
    """Project of the keys (default: the provider's, `gcp:project`)."""
    purposes: tuple[str, ...] = tuple(PURPOSE_AGENTS)
    """One key per purpose: a grant or a leak exposes one purpose only."""
    # CIS GCP 1.10 / HIPAA 164.312(a)(2)(iv): key material rotates at least every 90 days.
    rotation_days: int = 90
    """Days between automatic rotations (1-90)."""
    # A destroyed version stays recoverable for 30 days (the longest Cloud KMS allows is 120).
    destroy_scheduled_days: int = 30
    """Days a version scheduled for destruction can still be restored."""
    protect: bool = True
    """Refuse to delete the keys from Pulumi (data encrypted with them would be lost)."""


def _validate(args: KeysArgs) -> list[tuple[str, str]]:
    problems = []
    for p in args.purposes:
        if p not in PURPOSE_AGENTS:
            problems.append(("purposes", f"unknown purpose {p!r}; one of {list(PURPOSE_AGENTS)}"))
        for service in PURPOSE_AGENTS.get(p, ()):
            if service not in args.agents:
                problems.append(("agents", f"the {service} agent is needed for the {p} key"))
    if not 1 <= args.rotation_days <= 90:
        problems.append(("rotationDays", f"{args.rotation_days}: must be 1 to 90"))
    if not 1 <= args.destroy_scheduled_days <= 120:
        problems.append(("destroyScheduledDays", f"{args.destroy_scheduled_days}: 1 to 120"))
    return problems


class Keys(pulumi.ComponentResource):
    """Cloud KMS keys (rotation <= 90 days, protected from deletion), each usable by exactly
    the service agents that encrypt with it."""

    def __init__(self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:gcp:Keys", name, _validate(args))
        super().__init__(f"{PACKAGE}:gcp:Keys", name, None, opts)
        protected = pulumi.ResourceOptions(parent=self, protect=args.protect)
        self.ring = gcp.kms.KeyRing(
            name, name=args.prefix, location=args.location, opts=protected
        )
        # Cloud KMS ids are paths of names (projects/P/locations/L/keyRings/R/cryptoKeys/K):
        # known in a first preview, unlike the resources' `id` outputs. Each stays tied to its
        # resource, so the plan records where it came from.
        ring_id = (
            f"projects/{args.project or gcp.config.project}/locations/{args.location}"
            f"/keyRings/{args.prefix}"
        )
        self._ids: dict[str, pulumi.Output[str]] = {}
        self.keys: dict[str, gcp.kms.CryptoKey] = {}
        #: Purpose -> grants to service agents; resources encrypting with a key depend on them.
        self.grants: dict[str, list[gcp.kms.CryptoKeyIAMMember]] = {}
        for purpose in args.purposes:
            key = gcp.kms.CryptoKey(
                f"{name}-{purpose}",
                name=purpose,
                key_ring=self.ring.urn.apply(lambda _: ring_id),
                purpose="ENCRYPT_DECRYPT",
                rotation_period=f"{args.rotation_days * 24 * 3600}s",
                destroy_scheduled_duration=f"{args.destroy_scheduled_days * 24 * 3600}s",
                version_template={
                    "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
                    "protection_level": "SOFTWARE",
                },
                labels={"purpose": purpose},
                opts=protected,
            )
            self.keys[purpose] = key
            self._ids[purpose] = key.urn.apply(lambda _, p=purpose: f"{ring_id}/cryptoKeys/{p}")
            self.grants[purpose] = [
                gcp.kms.CryptoKeyIAMMember(
                    f"{name}-{purpose}-{service.split('.')[0]}",
                    crypto_key_id=self._ids[purpose],
                    role=ENCRYPTER_DECRYPTER,
                    member=args.agents[service],
                    opts=pulumi.ResourceOptions(parent=self),
                )
                for service in PURPOSE_AGENTS[purpose]
            ]
        self.register_outputs(dict(self._ids))

    def key_id(self, purpose: str) -> pulumi.Output[str]:
        """Resource id of the key for `purpose` (projects/.../cryptoKeys/<purpose>)."""
        return self._ids[purpose]
