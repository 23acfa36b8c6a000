"""What each Pulumi type becomes for Checkov: an explicit table, never a guess.

aws and gcp are bridged from the Terraform providers, so a Pulumi type is one Terraform type and
its properties are the Terraform arguments in camelCase. Pulumi renames a few of them (a list
block `rule` becomes `rules`); `TF_RENAMES` undoes that per type. Which dict-valued properties
are free-form maps (tags, labels: keys kept verbatim) rather than nested blocks comes from the
provider SDKs' declared types, recorded in `sdk_maps.json` (`python -m
policies.checkov_bridge.sdk_maps --write` regenerates it; a test checks it against the SDKs).

azure-native is generated from the ARM REST specs: a Pulumi type is one ARM resource type at the
API version the SDK module uses ("Uses Azure REST API version ..." in its docstring).
A type missing from these tables is simply not scanned (listed in the gate's timings).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

TF_TYPES: dict[str, str] = {
    # AWS: every type the aws components create (components/aws/), and a few worth it.
    "aws:cloudtrail/eventDataStore:EventDataStore": "aws_cloudtrail_event_data_store",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "aws_ecr_lifecycle_policy",
    "aws:ecr/repository:Repository": "aws_ecr_repository",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "aws_ecr_repository_policy",
    "aws:eks/accessEntry:AccessEntry": "aws_eks_access_entry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "aws_eks_access_policy_association",
    "aws:eks/addon:Addon": "aws_eks_addon",
    "aws:eks/cluster:Cluster": "aws_eks_cluster",
    "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "aws_eks_pod_identity_association",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "aws_s3_bucket_lifecycle_configuration"
    ),
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketNotification:BucketNotification": "aws_s3_bucket_notification",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": (
        "aws_s3_bucket_object_lock_configuration"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ("aws_s3_bucket_public_access_block"),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": (
        "aws_s3_bucket_replication_configuration"
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    # GCP: the types the gcp components create.
    "gcp:artifactregistry/repository:Repository": "google_artifact_registry_repository",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": (
        "google_artifact_registry_repository_iam_member"
    ),
    "gcp:compute/firewall:Firewall": "google_compute_firewall",
    "gcp:compute/network:Network": "google_compute_network",
    "gcp:compute/router:Router": "google_compute_router",
    "gcp:compute/routerNat:RouterNat": "google_compute_router_nat",
    "gcp:compute/subnetwork:Subnetwork": "google_compute_subnetwork",
    "gcp:container/cluster:Cluster": "google_container_cluster",
    "gcp:container/nodePool:NodePool": "google_container_node_pool",
    "gcp:kms/cryptoKey:CryptoKey": "google_kms_crypto_key",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "google_kms_crypto_key_iam_member",
    "gcp:kms/keyRing:KeyRing": "google_kms_key_ring",
    # Not created by our components, but how a key ring is exposed (Checkov: CKV2_GCP_8).
    "gcp:kms/keyRingIAMMember:KeyRingIAMMember": "google_kms_key_ring_iam_member",
    "gcp:projects/iAMMember:IAMMember": "google_project_iam_member",
    "gcp:projects/service:Service": "google_project_service",
    "gcp:serviceaccount/account:Account": "google_service_account",
    "gcp:serviceaccount/iAMMember:IAMMember": "google_service_account_iam_member",
    "gcp:storage/bucket:Bucket": "google_storage_bucket",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "google_storage_bucket_iam_member",
}

#: Terraform type -> {Pulumi snake_case path of a renamed property: its Terraform name}.
#: Pulumi pluralises list blocks and lists whose Terraform name is singular.
TF_RENAMES: dict[str, dict[str, str]] = {
    "aws_ecr_repository": {"encryption_configurations": "encryption_configuration"},
    "aws_eks_node_group": {"taints": "taint"},
    "aws_iam_openid_connect_provider": {
        "client_id_lists": "client_id_list",
        "thumbprint_lists": "thumbprint_list",
    },
    "aws_iam_role": {"inline_policies": "inline_policy"},
    "aws_instance": {
        "ebs_block_devices": "ebs_block_device",
        "ephemeral_block_devices": "ephemeral_block_device",
        "network_interfaces": "network_interface",
    },
    "aws_launch_template": {"license_specifications": "license_specification"},
    "aws_route_table": {"routes": "route"},
    "aws_s3_bucket": {
        "cors_rules": "cors_rule",
        "grants": "grant",
        "lifecycle_rules": "lifecycle_rule",
    },
    "aws_s3_bucket_lifecycle_configuration": {
        "rules": "rule",
        "rules.transitions": "transition",
        "rules.noncurrent_version_transitions": "noncurrent_version_transition",
    },
    "aws_s3_bucket_notification": {
        "queues": "queue",
        "topics": "topic",
        "lambda_functions": "lambda_function",
    },
    "aws_s3_bucket_replication_configuration": {"rules": "rule"},
    "aws_s3_bucket_server_side_encryption_configuration": {"rules": "rule"},
    "aws_vpc_endpoint": {"subnet_configurations": "subnet_configuration"},
    "google_compute_firewall": {"allows": "allow", "denies": "deny"},
    "google_compute_router_nat": {
        "subnetworks": "subnetwork",
        "subnetworks.source_ip_ranges_to_nats": "source_ip_ranges_to_nat",
    },
    "google_compute_subnetwork": {"secondary_ip_ranges": "secondary_ip_range"},
    "google_container_cluster": {
        "node_pools": "node_pool",
        "node_config.guest_accelerators": "guest_accelerator",
        "node_config.taints": "taint",
    },
    "google_container_node_pool": {
        "node_config.guest_accelerators": "guest_accelerator",
        "node_config.taints": "taint",
    },
    "google_storage_bucket": {"lifecycle_rules": "lifecycle_rule"},
}


class ArmType:
    """An azure-native type as ARM knows it: resource type, API version, and which Pulumi inputs
    are URL path parameters (the resource's own name, its parents' names) rather than body."""

    def __init__(self, arm_type: str, api_version: str, name: str, parents: tuple[str, ...] = ()):
        self.arm_type = arm_type
        self.api_version = api_version
        self.name = name
        self.parents = parents

    def __repr__(self) -> str:
        return f"ArmType({self.arm_type!r}, {self.api_version!r})"


ARM_TYPES: dict[str, ArmType] = {
    "azure-native:authorization:RoleAssignment": ArmType(
        "Microsoft.Authorization/roleAssignments", "2022-04-01", "roleAssignmentName"
    ),
    "azure-native:containerregistry:Registry": ArmType(
        "Microsoft.ContainerRegistry/registries", "2023-01-01-preview", "registryName"
    ),
    "azure-native:containerservice:AgentPool": ArmType(
        "Microsoft.ContainerService/managedClusters/agentPools",
        "2025-09-01",
        "agentPoolName",
        ("resourceName",),
    ),
    "azure-native:containerservice:ManagedCluster": ArmType(
        "Microsoft.ContainerService/managedClusters", "2025-09-01", "resourceName"
    ),
    "azure-native:keyvault:Key": ArmType(
        "Microsoft.KeyVault/vaults/keys", "2024-11-01", "keyName", ("vaultName",)
    ),
    "azure-native:keyvault:Vault": ArmType("Microsoft.KeyVault/vaults", "2024-11-01", "vaultName"),
    "azure-native:managedidentity:FederatedIdentityCredential": ArmType(
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        "2023-01-31",
        "federatedIdentityCredentialResourceName",
        ("resourceName",),
    ),
    "azure-native:managedidentity:UserAssignedIdentity": ArmType(
        "Microsoft.ManagedIdentity/userAssignedIdentities", "2023-01-31", "resourceName"
    ),
    "azure-native:network:NatGateway": ArmType(
        "Microsoft.Network/natGateways", "2024-05-01", "natGatewayName"
    ),
    "azure-native:network:NetworkSecurityGroup": ArmType(
        "Microsoft.Network/networkSecurityGroups", "2024-05-01", "networkSecurityGroupName"
    ),
    "azure-native:network:PrivateEndpoint": ArmType(
        "Microsoft.Network/privateEndpoints", "2024-05-01", "privateEndpointName"
    ),
    "azure-native:network:PublicIPAddress": ArmType(
        "Microsoft.Network/publicIPAddresses", "2024-05-01", "publicIpAddressName"
    ),
    "azure-native:network:SecurityRule": ArmType(
        "Microsoft.Network/networkSecurityGroups/securityRules",
        "2024-05-01",
        "securityRuleName",
        ("networkSecurityGroupName",),
    ),
    "azure-native:network:Subnet": ArmType(
        "Microsoft.Network/virtualNetworks/subnets",
        "2024-05-01",
        "subnetName",
        ("virtualNetworkName",),
    ),
    "azure-native:network:VirtualNetwork": ArmType(
        "Microsoft.Network/virtualNetworks", "2024-05-01", "virtualNetworkName"
    ),
    "azure-native:storage:BlobContainer": ArmType(
        "Microsoft.Storage/storageAccounts/blobServices/containers",
        "2024-01-01",
        "containerName",
        ("accountName", "default"),
    ),
    "azure-native:storage:StorageAccount": ArmType(
        "Microsoft.Storage/storageAccounts", "2024-01-01", "accountName"
    ),
}

#: ARM resource keys that sit beside `properties`; every other body input nests under it.
ARM_TOP_LEVEL = frozenset(
    {"location", "tags", "sku", "kind", "identity", "zones", "extendedLocation", "plan"}
)
#: azure-native input names that differ from the ARM body's (ARM type -> Pulumi -> ARM). The
#: provider renames them on the wire; Checkov's ARM checks read the ARM names.
ARM_PROPERTY_RENAMES: dict[str, dict[str, str]] = {
    "Microsoft.Storage/storageAccounts": {
        "networkRuleSet": "networkAcls",
        "enableHttpsTrafficOnly": "supportsHttpsTrafficOnly",
    },
}
#: Lists of ARM sub-resources an azure-native type takes inline, each item's `properties`
#: flattened into it (ARM type -> property names). ARM nests them: `{name, properties: {...}}`,
#: and Checkov's ARM checks read them there (an NSG's inline rules: CKV_AZURE_9/10/160).
ARM_SUBRESOURCE_LISTS: dict[str, tuple[str, ...]] = {
    "Microsoft.Network/networkSecurityGroups": ("securityRules",),
    "Microsoft.Network/privateEndpoints": (
        "privateLinkServiceConnections",
        "manualPrivateLinkServiceConnections",
        "ipConfigurations",
    ),
    "Microsoft.Network/virtualNetworks": ("subnets", "virtualNetworkPeerings"),
    "Microsoft.Network/virtualNetworks/subnets": ("delegations",),
}
#: Keys of an inline sub-resource that stay beside its `properties`.
ARM_SUBRESOURCE_TOP_LEVEL = frozenset({"id", "name", "type", "etag"})
#: Path parameters every azure-native resource may take (never part of the ARM body).
ARM_PATH_PARAMETERS = frozenset({"resourceGroupName", "scope"})

SDK_MAPS_FILE = Path(__file__).resolve().parent / "sdk_maps.json"


@cache
def sdk_maps() -> dict[str, frozenset[str]]:
    """Pulumi type -> dotted camelCase paths of free-form map properties (from the SDKs)."""
    data = json.loads(SDK_MAPS_FILE.read_text(encoding="utf-8"))
    return {token: frozenset(paths) for token, paths in data.items()}


def arm_type(token: str) -> ArmType | None:
    """The ARM type of an azure-native token, also for explicitly versioned modules
    (`azure-native:storage/v20230101:StorageAccount` -> API version 2023-01-01)."""
    package, module, name = (token.split(":") + ["", ""])[:3]
    if package != "azure-native":
        return None
    base, _, version = module.partition("/")
    known = ARM_TYPES.get(f"{package}:{base}:{name}")
    if known is None or not version:
        return known
    digits = version[1:9]
    suffix = "-preview" if version.endswith("preview") else ""
    api = f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}{suffix}"
    return ArmType(known.arm_type, api, known.name, known.parents)
