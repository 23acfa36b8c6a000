# Test fixtures shared by every rule's tests (a *_test.rego file: never loaded by the gate).
#
# One compliant plan per cloud, keyed by resource name. A rule test starts from a plan, changes
# exactly one field (object.union merges deeply; json.remove drops a property) and asserts which
# resources fail. tests/test_rule_fixtures.py checks every property name here against the
# provider SDKs (and the InferenceService against KServe's CRD), and that each plan passes the
# whole catalogue.
package medinfra.fixtures

import rego.v1

urn(type, name) := sprintf("urn:pulumi:test::medinfra::%s::%s", [type, name])

res(type, name, props, references) := {
	"urn": urn(type, name), "type": type, "name": name, "provider": "default", "parent": null,
	"dependencies": [], "props": props, "unknowns": [], "secrets": [], "references": references,
}

tags := {"owner": "ml-platform", "costCenter": "cc-1", "environment": "prod", "dataClassification": "phi"}

labels := {"owner": "ml-platform", "cost_center": "cc-1", "environment": "prod", "data_classification": "phi"}

sha := "3f1c7a9e0b5d2c4e8a6f1b3d5c7e9a0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a1c"

digest := "sha256:9b2e4c6a8d0f1e3c5a7b9d1f3e5c7a9b1d3f5e7c9a1b3d5f7e9c1a3b5d7f9e1c"

config := {
	"environment": "prod", "dataClassification": "phi",
	"allowedRegions": ["eu-central-1", "westeurope", "europe-west4"],
	"models": [{
		"name": "chest-xray", "version": "1.0", "sha256": sha, "imageDigest": digest,
		"approval": {
			"ticket": "CAB-1", "approvedBy": "dr.lindqvist", "date": "2026-01-15",
			"sha256": sha, "imageDigest": digest,
		},
	}],
}

# What the gate computes from `config` without a policy-pack config (policies/settings.py;
# tests/test_rule_fixtures.py checks they agree).
settings := {
	"allowedRegions": config.allowedRegions,
	"allowedRegionsFrom": "the stack config (medinfra:allowedRegions)",
	"requiredTags": {
		"tags": {"owner": [], "costCenter": [], "environment": [], "dataClassification": ["phi"]},
		"labels": {"owner": [], "cost_center": [], "environment": [], "data_classification": ["phi"]},
	},
	"requiredTagsFrom": "built-in",
	"trustedRegistries": [], "trustedKeys": [], "trustedIdentities": [],
	"logRetentionDays": 365,
}

# An Inventory of a plan (an object: name -> resource), with the shared config and settings.
inventory(plan) := {"project": "medinfra", "stack": "test", "config": config, "settings": settings, "resources": [r | some r in plan]}

# The same, with config values changed.
inventory_with(plan, patch) := object.union(inventory(plan), {"config": patch})

# The same, with settings replaced key by key (as a policy-pack config or stack keys would).
inventory_settings(plan, patch) := object.union(object.remove(inventory(plan), ["settings"]), {"settings": object.union(object.remove(settings, object.keys(patch)), patch)})

urns(findings) := {f.urn | some f in findings}

kms := "aws:kms/key:Key"

s3 := "aws:s3/bucket:Bucket"

aws := {
	"aws": res("pulumi:providers:aws", "aws", {"region": "eu-central-1"}, {}),
	"key": res(kms, "key", {
		"enableKeyRotation": true, "rotationPeriodInDays": 90, "deletionWindowInDays": 30,
		"policy": json.marshal({"Version": "2012-10-17", "Statement": [{
			"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
			"Action": "kms:*", "Resource": "*",
		}]}),
		"tags": tags,
	}, {}),
	"bucket": res(s3, "bucket", {"bucket": "phi-data", "objectLockEnabled": true, "tags": tags}, {}),
	"bucket-sse": res(
		"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
		"bucket-sse",
		{"bucket": "phi-data", "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:key"}, "bucketKeyEnabled": true}]},
		{"/bucket": urn(s3, "bucket"), "/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId": urn(kms, "key")},
	),
	"bucket-pab": res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket-pab", {
		"bucket": "phi-data", "blockPublicAcls": true, "blockPublicPolicy": true,
		"ignorePublicAcls": true, "restrictPublicBuckets": true,
	}, {"/bucket": urn(s3, "bucket")}),
	"bucket-policy": res("aws:s3/bucketPolicy:BucketPolicy", "bucket-policy", {
		"bucket": "phi-data",
		"policy": json.marshal({"Version": "2012-10-17", "Statement": [{
			"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
			"Resource": ["arn:aws:s3:::phi-data", "arn:aws:s3:::phi-data/*"],
			"Condition": {"Bool": {"aws:SecureTransport": "false"}},
		}]}),
	}, {"/bucket": urn(s3, "bucket")}),
	"bucket-versioning": res("aws:s3/bucketVersioning:BucketVersioning", "bucket-versioning", {
		"bucket": "phi-data", "versioningConfiguration": {"status": "Enabled"},
	}, {"/bucket": urn(s3, "bucket")}),
	"bucket-lock": res("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "bucket-lock", {
		"bucket": "phi-data", "objectLockEnabled": "Enabled",
		"rule": {"defaultRetention": {"days": 2190, "mode": "COMPLIANCE"}},
	}, {"/bucket": urn(s3, "bucket")}),
	"bucket-logging": res("aws:s3/bucketLogging:BucketLogging", "bucket-logging", {
		"bucket": "phi-data", "targetBucket": "access-logs", "targetPrefix": "phi-data/",
	}, {"/bucket": urn(s3, "bucket")}),
	"ecr": res("aws:ecr/repository:Repository", "ecr", {
		"name": "medinfra/models", "imageTagMutability": "IMMUTABLE",
		"imageScanningConfiguration": {"scanOnPush": true},
		"encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": "arn:key"}], "tags": tags,
	}, {"/encryptionConfigurations/0/kmsKey": urn(kms, "key")}),
	"ecr-policy": res("aws:ecr/repositoryPolicy:RepositoryPolicy", "ecr-policy", {
		"repository": "medinfra/models",
		"policy": json.marshal({"Version": "2012-10-17", "Statement": [{
			"Sid": "AccountOnly", "Effect": "Allow",
			"Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": ["ecr:BatchGetImage"],
		}]}),
	}, {"/repository": urn("aws:ecr/repository:Repository", "ecr")}),
	"eks": res("aws:eks/cluster:Cluster", "eks", {
		"name": "medinfra", "roleArn": "arn:role",
		"accessConfig": {"authenticationMode": "API"},
		"enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
		"encryptionConfig": {"provider": {"keyArn": "arn:key"}, "resources": ["secrets"]},
		"vpcConfig": {"endpointPrivateAccess": true, "endpointPublicAccess": false, "subnetIds": ["subnet-1"]},
		"tags": tags,
	}, {"/encryptionConfig/provider/keyArn": urn(kms, "key")}),
	"oidc": res("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "oidc", {
		"url": "https://oidc.eks.eu-central-1.amazonaws.com/id/X", "clientIdLists": ["sts.amazonaws.com"],
		"tags": tags,
	}, {"/url": urn("aws:eks/cluster:Cluster", "eks")}),
	"lt": res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
		"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": "arn:key", "volumeType": "gp3"}}],
		"metadataOptions": {"httpEndpoint": "enabled", "httpPutResponseHopLimit": 1, "httpTokens": "required"},
		"tags": tags,
	}, {"/blockDeviceMappings/0/ebs/kmsKeyId": urn(kms, "key")}),
	"gpu-nodes": res("aws:eks/nodeGroup:NodeGroup", "gpu-nodes", {
		"clusterName": "medinfra", "nodeRoleArn": "arn:role", "subnetIds": ["subnet-1"],
		"scalingConfig": {"desiredSize": 1, "maxSize": 2, "minSize": 1},
		"launchTemplate": {"id": "lt-1", "version": "1"},
		"taints": [{"effect": "NO_SCHEDULE", "key": "nvidia.com/gpu", "value": "true"}], "tags": tags,
	}, {"/launchTemplate/id": urn("aws:ec2/launchTemplate:LaunchTemplate", "lt")}),
	"logs": res("aws:cloudwatch/logGroup:LogGroup", "logs", {
		"name": "/aws/eks/medinfra/cluster", "kmsKeyId": "arn:key", "retentionInDays": 2190, "tags": tags,
	}, {"/kmsKeyId": urn(kms, "key")}),
	"vpc": res("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16", "tags": tags}, {}),
	"flow-log": res("aws:ec2/flowLog:FlowLog", "flow-log", {
		"vpcId": "vpc-1", "trafficType": "ALL", "logDestinationType": "cloud-watch-logs",
		"logDestination": "arn:logs", "tags": tags,
	}, {"/vpcId": urn("aws:ec2/vpc:Vpc", "vpc")}),
	"subnet": res("aws:ec2/subnet:Subnet", "subnet", {
		"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/19", "mapPublicIpOnLaunch": false, "tags": tags,
	}, {}),
	"sg": res("aws:ec2/securityGroup:SecurityGroup", "sg", {
		"vpcId": "vpc-1", "description": "endpoints",
		"ingress": [{"cidrBlocks": ["10.0.0.0/16"], "fromPort": 443, "protocol": "tcp", "toPort": 443}],
		"tags": tags,
	}, {}),
	"sg-rule": res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "sg-rule", {
		"securityGroupId": "sg-1", "cidrIpv4": "10.0.0.0/16", "fromPort": 22, "toPort": 22, "ipProtocol": "tcp",
	}, {}),
	"model-role": res("aws:iam/role:Role", "model-role", {
		"name": "model",
		"assumeRolePolicy": json.marshal({"Version": "2012-10-17", "Statement": [{
			"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
			"Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/X"},
			"Condition": {"StringEquals": {
				"oidc.eks.eu-central-1.amazonaws.com/id/X:sub": "system:serviceaccount:models:chest-xray",
				"oidc.eks.eu-central-1.amazonaws.com/id/X:aud": "sts.amazonaws.com",
			}},
		}]}),
		"tags": tags,
	}, {}),
	"role-policy": res("aws:iam/rolePolicy:RolePolicy", "role-policy", {
		"role": "model",
		"policy": json.marshal({"Version": "2012-10-17", "Statement": [{
			"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::phi-data/model/*"],
		}]}),
	}, {}),
	"storage-class": res("kubernetes:storage.k8s.io/v1:StorageClass", "storage-class", {
		"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "gp3-encrypted"},
		"provisioner": "ebs.csi.aws.com", "parameters": {"encrypted": "true", "kmsKeyId": "arn:key", "type": "gp3"},
	}, {"/parameters/kmsKeyId": urn(kms, "key")}),
	"aws-native": res("pulumi:providers:aws-native", "aws-native", {"region": "eu-central-1"}, {}),
	"dicom": res(dicom, "dicom", {"datastoreName": "imaging", "kmsKeyArn": "arn:key", "tags": tags}, {"/kmsKeyArn": urn(kms, "key")}),
	"fhir": res(fhir, "fhir", {
		"datastoreName": "clinical", "datastoreTypeVersion": "R4",
		"sseConfiguration": {"kmsEncryptionConfig": {"cmkType": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "arn:key"}},
		"identityProviderConfiguration": {"authorizationStrategy": "AWS_AUTH"},
		"tags": [{"key": k, "value": v} | some k, v in tags],
	}, {"/sseConfiguration/kmsEncryptionConfig/kmsKeyId": urn(kms, "key")}),
	"health-events": res("aws:cloudtrail/eventDataStore:EventDataStore", "health-events", {
		"name": "health-data-events", "kmsKeyId": "arn:key", "retentionPeriod": 2190,
		"multiRegionEnabled": false, "terminationProtectionEnabled": true,
		"advancedEventSelectors": [
			{"name": "dicom-datastore", "fieldSelectors": [
				{"field": "eventCategory", "equals": ["Data"]},
				{"field": "resources.type", "equals": ["AWS::MedicalImaging::Datastore"]},
			]},
			{"name": "dicom-imageset", "fieldSelectors": [
				{"field": "eventCategory", "equals": ["Data"]},
				{"field": "resources.type", "equals": ["AWS::MedicalImaging::Imageset"]},
			]},
			{"name": "fhir-api", "fieldSelectors": [
				{"field": "eventCategory", "equals": ["Management"]},
				{"field": "eventSource", "equals": ["healthlake.amazonaws.com"]},
			]},
		],
		"tags": tags,
	}, {"/kmsKeyId": urn(kms, "key")}),
}

dicom := "aws-native:healthimaging:Datastore"

fhir := "aws-native:healthlake:FhirDatastore"

akv := "azure-native:keyvault:Key"

hds := "azure-native:healthcareapis:Workspace"

sa := "azure-native:storage:StorageAccount"

aks := "azure-native:containerservice:ManagedCluster"

azure := {
	"azure": res("pulumi:providers:azure-native", "azure", {"location": "westeurope"}, {}),
	"vault": res("azure-native:keyvault:Vault", "vault", {
		"resourceGroupName": "rg", "location": "westeurope",
		"properties": {
			"tenantId": "t", "sku": {"family": "A", "name": "premium"}, "enableRbacAuthorization": true,
			"enablePurgeProtection": true, "enableSoftDelete": true, "softDeleteRetentionInDays": 90,
			"publicNetworkAccess": "Disabled",
		},
		"tags": tags,
	}, {}),
	"akv-key": res(akv, "akv-key", {
		"resourceGroupName": "rg", "vaultName": "vault",
		"properties": {"kty": "RSA-HSM", "keySize": 3072, "rotationPolicy": {
			"attributes": {"expiryTime": "P2Y"},
			"lifetimeActions": [{"action": {"type": "rotate"}, "trigger": {"timeAfterCreate": "P90D"}}],
		}},
		"tags": tags,
	}, {"/vaultName": urn("azure-native:keyvault:Vault", "vault")}),
	"storage": res(sa, "storage", {
		"resourceGroupName": "rg", "location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_ZRS"},
		"allowBlobPublicAccess": false, "allowSharedKeyAccess": false, "enableHttpsTrafficOnly": true,
		"minimumTlsVersion": "TLS1_2", "publicNetworkAccess": "Disabled",
		"encryption": {
			"keySource": "Microsoft.Keyvault", "requireInfrastructureEncryption": true,
			"keyVaultProperties": {"keyName": "data", "keyVaultUri": "https://vault.vault.azure.net"},
		},
		"immutableStorageWithVersioning": {"enabled": true},
		"tags": tags,
	}, {"/encryption/keyVaultProperties/keyName": urn(akv, "akv-key")}),
	"blob-service": res("azure-native:storage:BlobServiceProperties", "blob-service", {
		"resourceGroupName": "rg", "accountName": "storage", "blobServicesName": "default",
		"isVersioningEnabled": true, "deleteRetentionPolicy": {"enabled": true, "days": 30},
		"containerDeleteRetentionPolicy": {"enabled": true, "days": 30},
	}, {"/accountName": urn(sa, "storage")}),
	"blob-container": res("azure-native:storage:BlobContainer", "blob-container", {
		"resourceGroupName": "rg", "accountName": "storage", "containerName": "phi-data", "publicAccess": "None",
	}, {"/accountName": urn(sa, "storage")}),
	"storage-diagnostics": res("azure-native:monitor:DiagnosticSetting", "storage-diagnostics", {
		"resourceUri": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/storage/blobServices/default",
		"workspaceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws",
		"logs": [{"categoryGroup": "audit", "enabled": true}],
	}, {"/resourceUri": urn("azure-native:storage:BlobServiceProperties", "blob-service")}),
	"acr": res("azure-native:containerregistry:Registry", "acr", {
		"resourceGroupName": "rg", "location": "westeurope", "sku": {"name": "Premium"},
		"adminUserEnabled": false, "anonymousPullEnabled": false, "publicNetworkAccess": "Disabled",
		"encryption": {"status": "enabled", "keyVaultProperties": {"keyIdentifier": "https://vault/keys/data", "identity": "id"}},
		"tags": tags,
	}, {"/encryption/keyVaultProperties/keyIdentifier": urn(akv, "akv-key")}),
	"des": res("azure-native:compute:DiskEncryptionSet", "des", {
		"resourceGroupName": "rg", "location": "westeurope", "encryptionType": "EncryptionAtRestWithCustomerKey",
		"activeKey": {"keyUrl": "https://vault/keys/volumes"}, "identity": {"type": "SystemAssigned"},
		"rotationToLatestKeyVersionEnabled": true, "tags": tags,
	}, {"/activeKey/keyUrl": urn(akv, "akv-key")}),
	"aks": res(aks, "aks", {
		"resourceGroupName": "rg", "location": "westeurope", "dnsPrefix": "medinfra",
		"enableRBAC": true, "disableLocalAccounts": true,
		"aadProfile": {"managed": true, "enableAzureRBAC": true},
		"apiServerAccessProfile": {"enablePrivateCluster": true},
		"oidcIssuerProfile": {"enabled": true},
		"securityProfile": {
			"workloadIdentity": {"enabled": true},
			"azureKeyVaultKms": {"enabled": true, "keyId": "https://vault/keys/secrets/1", "keyVaultNetworkAccess": "Private"},
		},
		"diskEncryptionSetID": "/subscriptions/s/des",
		"autoUpgradeProfile": {"nodeOSUpgradeChannel": "SecurityPatch", "upgradeChannel": "patch"},
		"agentPoolProfiles": [{"name": "system", "mode": "System", "vmSize": "Standard_D4s_v5", "count": 3, "enableNodePublicIP": false}],
		"tags": tags,
	}, {
		"/securityProfile/azureKeyVaultKms/keyId": urn(akv, "akv-key"),
		"/diskEncryptionSetID": urn("azure-native:compute:DiskEncryptionSet", "des"),
	}),
	"gpu-pool": res("azure-native:containerservice:AgentPool", "gpu-pool", {
		"resourceGroupName": "rg", "resourceName": "aks", "mode": "User", "vmSize": "Standard_NC24ads_A100_v4",
		"count": 1, "enableNodePublicIP": false, "nodeTaints": ["nvidia.com/gpu=true:NoSchedule"],
		"tags": tags,
	}, {"/resourceName": urn(aks, "aks")}),
	"aks-diagnostics": res("azure-native:monitor:DiagnosticSetting", "aks-diagnostics", {
		"resourceUri": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
		"workspaceId": "/subscriptions/s/ws",
		"logs": [{"category": "kube-audit", "enabled": true}, {"category": "kube-apiserver", "enabled": true}],
	}, {"/resourceUri": urn(aks, "aks")}),
	"workspace": res("azure-native:operationalinsights:Workspace", "workspace", {
		"resourceGroupName": "rg", "location": "westeurope", "retentionInDays": 730,
		"sku": {"name": "PerGB2018"}, "features": {"disableLocalAuth": true}, "tags": tags,
	}, {}),
	"vnet": res("azure-native:network:VirtualNetwork", "vnet", {
		"resourceGroupName": "rg", "location": "westeurope",
		"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "tags": tags,
	}, {}),
	"vnet-flow-log": res("azure-native:network:FlowLog", "vnet-flow-log", {
		"resourceGroupName": "NetworkWatcherRG", "networkWatcherName": "nw", "location": "westeurope",
		"enabled": true, "targetResourceId": "/subscriptions/s/vnet", "storageId": "/subscriptions/s/logs",
		"retentionPolicy": {"enabled": true, "days": 365}, "tags": tags,
	}, {"/targetResourceId": urn("azure-native:network:VirtualNetwork", "vnet")}),
	"nsg": res("azure-native:network:NetworkSecurityGroup", "nsg", {
		"resourceGroupName": "rg", "location": "westeurope",
		"securityRules": [{
			"name": "https-from-vnet", "priority": 100, "direction": "Inbound", "access": "Allow",
			"protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
			"destinationAddressPrefix": "*", "destinationPortRange": "443",
		}],
		"tags": tags,
	}, {}),
	"identity": res("azure-native:managedidentity:UserAssignedIdentity", "identity", {
		"resourceGroupName": "rg", "location": "westeurope", "resourceName": "model", "tags": tags,
	}, {}),
	"subnet": res("azure-native:network:Subnet", "subnet", {
		"resourceGroupName": "rg", "virtualNetworkName": "vnet", "subnetName": "nodes",
		"addressPrefix": "10.0.0.0/17", "defaultOutboundAccess": false,
		"networkSecurityGroup": {"id": "/subscriptions/s/nsg"},
	}, {
		"/virtualNetworkName": urn("azure-native:network:VirtualNetwork", "vnet"),
		"/networkSecurityGroup/id": urn("azure-native:network:NetworkSecurityGroup", "nsg"),
	}),
	"federation": res("azure-native:managedidentity:FederatedIdentityCredential", "federation", {
		"resourceGroupName": "rg", "resourceName": "model", "federatedIdentityCredentialResourceName": "chest-xray",
		"issuer": "https://westeurope.oic.prod-aks.azure.com/t/i/", "subject": "system:serviceaccount:models:chest-xray",
		"audiences": ["api://AzureADTokenExchange"],
	}, {
		"/issuer": urn(aks, "aks"),
		"/resourceName": urn("azure-native:managedidentity:UserAssignedIdentity", "identity"),
	}),
	"hds": res(hds, "hds", {"resourceGroupName": "rg", "location": "westeurope", "workspaceName": "hds", "tags": tags}, {}),
	"hds-endpoint": res("azure-native:network:PrivateEndpoint", "hds-endpoint", {
		"resourceGroupName": "rg", "location": "westeurope", "subnet": {"id": "/subscriptions/s/subnet"},
		"privateLinkServiceConnections": [{"name": "hds", "privateLinkServiceId": "/subscriptions/s/hds", "groupIds": ["healthcareworkspace"]}],
		"tags": tags,
	}, {"/privateLinkServiceConnections/0/privateLinkServiceId": urn(hds, "hds")}),
	"dicom-service": res("azure-native:healthcareapis:DicomService", "dicom-service", {
		"resourceGroupName": "rg", "location": "westeurope", "workspaceName": "hds", "dicomServiceName": "imaging",
		"identity": {"type": "UserAssigned", "userAssignedIdentities": ["/subscriptions/s/id"]},
		"encryption": {"customerManagedKeyEncryption": {"keyEncryptionKeyUrl": "https://vault.vault.azure.net/keys/data"}},
		"tags": tags,
	}, {"/workspaceName": urn(hds, "hds"), "/encryption/customerManagedKeyEncryption/keyEncryptionKeyUrl": urn(akv, "akv-key")}),
	"fhir-service": res("azure-native:healthcareapis:FhirService", "fhir-service", {
		"resourceGroupName": "rg", "location": "westeurope", "workspaceName": "hds", "fhirServiceName": "clinical", "kind": "fhir-R4",
		"identity": {"type": "UserAssigned", "userAssignedIdentities": ["/subscriptions/s/id"]},
		"encryption": {"customerManagedKeyEncryption": {"keyEncryptionKeyUrl": "https://vault.vault.azure.net/keys/data"}},
		"authenticationConfiguration": {"authority": "https://login.microsoftonline.com/t", "audience": "https://hds-clinical.fhir.azurehealthcareapis.com", "smartProxyEnabled": false},
		"tags": tags,
	}, {"/workspaceName": urn(hds, "hds"), "/encryption/customerManagedKeyEncryption/keyEncryptionKeyUrl": urn(akv, "akv-key")}),
	"dicom-diagnostics": res("azure-native:monitor:DiagnosticSetting", "dicom-diagnostics", {
		"resourceUri": "/subscriptions/s/hds/dicomservices/imaging", "workspaceId": "/subscriptions/s/ws",
		"logs": [{"category": "AuditLogs", "enabled": true}],
	}, {"/resourceUri": urn("azure-native:healthcareapis:DicomService", "dicom-service")}),
	"fhir-diagnostics": res("azure-native:monitor:DiagnosticSetting", "fhir-diagnostics", {
		"resourceUri": "/subscriptions/s/hds/fhirservices/clinical", "workspaceId": "/subscriptions/s/ws",
		"logs": [{"category": "AuditLogs", "enabled": true}],
	}, {"/resourceUri": urn("azure-native:healthcareapis:FhirService", "fhir-service")}),
	"role-assignment": res("azure-native:authorization:RoleAssignment", "role-assignment", {
		"principalId": "p", "principalType": "ServicePrincipal",
		"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
		"scope": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/storage",
	}, {"/scope": urn(sa, "storage")}),
}

gkey := "gcp:kms/cryptoKey:CryptoKey"

gcs := "gcp:storage/bucket:Bucket"

gke := "gcp:container/cluster:Cluster"

gcp := {
	"gcp": res("pulumi:providers:gcp", "gcp", {"region": "europe-west4", "project": "p"}, {}),
	"ring": res("gcp:kms/keyRing:KeyRing", "ring", {"name": "medinfra", "location": "europe-west4"}, {}),
	"gkey": res(gkey, "gkey", {
		"name": "data", "keyRing": "projects/p/locations/europe-west4/keyRings/medinfra",
		"purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s", "destroyScheduledDuration": "2592000s",
		"labels": object.union(labels, {"purpose": "data"}),
	}, {"/keyRing": urn("gcp:kms/keyRing:KeyRing", "ring")}),
	"gkey-grant": res("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gkey-grant", {
		"cryptoKeyId": "projects/p/locations/europe-west4/keyRings/medinfra/cryptoKeys/data",
		"role": "roles/cloudkms.cryptoKeyEncrypterDecrypter",
		"member": "serviceAccount:service-1@gs-project-accounts.iam.gserviceaccount.com",
	}, {"/cryptoKeyId": urn(gkey, "gkey")}),
	"gcs": res(gcs, "gcs", {
		"name": "phi-data", "location": "EUROPE-WEST4", "uniformBucketLevelAccess": true,
		"publicAccessPrevention": "enforced",
		# A PHI bucket is retained, not versioned: GCS refuses versioning with a retention policy.
		"versioning": {"enabled": false},
		"encryption": {"defaultKmsKeyName": "projects/p/locations/europe-west4/keyRings/medinfra/cryptoKeys/data"},
		"logging": {"logBucket": "access-logs"},
		"retentionPolicy": {"retentionPeriod": "189216000", "isLocked": true},
		"labels": labels,
	}, {"/encryption/defaultKmsKeyName": urn(gkey, "gkey")}),
	"gcs-reader": res("gcp:storage/bucketIAMMember:BucketIAMMember", "gcs-reader", {
		"bucket": "phi-data", "role": "roles/storage.objectViewer",
		"member": "serviceAccount:model@p.iam.gserviceaccount.com",
	}, {"/bucket": urn(gcs, "gcs")}),
	"gar": res("gcp:artifactregistry/repository:Repository", "gar", {
		"repositoryId": "models", "location": "europe-west4", "format": "DOCKER",
		"kmsKeyName": "projects/p/locations/europe-west4/keyRings/medinfra/cryptoKeys/data",
		"dockerConfig": {"immutableTags": true},
		"vulnerabilityScanningConfig": {"enablementConfig": "INHERITED"},
		"labels": labels,
	}, {"/kmsKeyName": urn(gkey, "gkey")}),
	"container-scanning": res("gcp:projects/service:Service", "container-scanning", {
		"project": "p", "service": "containerscanning.googleapis.com", "disableOnDestroy": false,
	}, {}),
	"gar-reader": res("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "gar-reader", {
		"repository": "models", "location": "europe-west4", "role": "roles/artifactregistry.reader",
		"member": "serviceAccount:nodes@p.iam.gserviceaccount.com",
	}, {"/repository": urn("gcp:artifactregistry/repository:Repository", "gar")}),
	"gke": res(gke, "gke", {
		"name": "medinfra", "location": "europe-west4", "enableShieldedNodes": true,
		"enableLegacyAbac": false, "removeDefaultNodePool": true, "initialNodeCount": 1,
		"privateClusterConfig": {"enablePrivateNodes": true, "enablePrivateEndpoint": true, "masterIpv4CidrBlock": "172.16.0.0/28"},
		"masterAuth": {"clientCertificateConfig": {"issueClientCertificate": false}},
		"workloadIdentityConfig": {"workloadPool": "p.svc.id.goog"},
		"databaseEncryption": {"state": "ENCRYPTED", "keyName": "projects/p/locations/europe-west4/keyRings/medinfra/cryptoKeys/secrets"},
		"loggingConfig": {"enableComponents": ["SYSTEM_COMPONENTS", "APISERVER", "WORKLOADS"]},
		"resourceLabels": labels,
	}, {"/databaseEncryption/keyName": urn(gkey, "gkey")}),
	"gpu-pool": res("gcp:container/nodePool:NodePool", "gpu-pool", {
		"cluster": "medinfra", "location": "europe-west4",
		"nodeConfig": {
			"machineType": "g2-standard-8", "bootDiskKmsKey": "projects/p/locations/europe-west4/keyRings/medinfra/cryptoKeys/volumes",
			"shieldedInstanceConfig": {"enableSecureBoot": true, "enableIntegrityMonitoring": true},
			"workloadMetadataConfig": {"mode": "GKE_METADATA"},
			"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}],
			"resourceLabels": labels,
		},
	}, {"/nodeConfig/bootDiskKmsKey": urn(gkey, "gkey"), "/cluster": urn(gke, "gke")}),
	"network": res("gcp:compute/network:Network", "network", {
		"name": "vpc", "autoCreateSubnetworks": false, "routingMode": "REGIONAL",
	}, {}),
	"router": res("gcp:compute/router:Router", "router", {
		"name": "vpc-router", "network": "vpc", "region": "europe-west4",
	}, {"/network": urn("gcp:compute/network:Network", "network")}),
	"nat": res("gcp:compute/routerNat:RouterNat", "nat", {
		"name": "vpc-nat", "router": "vpc-router", "region": "europe-west4",
		"natIpAllocateOption": "AUTO_ONLY", "sourceSubnetworkIpRangesToNat": "ALL_SUBNETWORKS_ALL_IP_RANGES",
		"logConfig": {"enable": true, "filter": "ALL"},
	}, {"/router": urn("gcp:compute/router:Router", "router")}),
	"subnet": res("gcp:compute/subnetwork:Subnetwork", "subnet", {
		"name": "nodes", "region": "europe-west4", "network": "vpc", "ipCidrRange": "10.0.0.0/20",
		"privateIpGoogleAccess": true,
		"logConfig": {"aggregationInterval": "INTERVAL_5_SEC", "flowSampling": 0.5, "metadata": "INCLUDE_ALL_METADATA"},
	}, {}),
	"firewall": res("gcp:compute/firewall:Firewall", "firewall", {
		"network": "vpc", "direction": "INGRESS", "sourceRanges": ["35.235.240.0/20"],
		"allows": [{"protocol": "tcp", "ports": ["22"]}],
	}, {}),
	"model-sa": res("gcp:serviceaccount/account:Account", "model-sa", {
		"accountId": "model", "displayName": "Model server models/chest-xray",
	}, {}),
	"model-workload": res("gcp:serviceaccount/iAMMember:IAMMember", "model-workload", {
		"serviceAccountId": "projects/p/serviceAccounts/model@p.iam.gserviceaccount.com",
		"role": "roles/iam.workloadIdentityUser", "member": "serviceAccount:p.svc.id.goog[models/chest-xray]",
	}, {"/serviceAccountId": urn("gcp:serviceaccount/account:Account", "model-sa")}),
	"log-writer": res("gcp:projects/iAMMember:IAMMember", "log-writer", {
		"project": "p", "role": "roles/logging.logWriter", "member": "serviceAccount:nodes@p.iam.gserviceaccount.com",
	}, {}),
	"dataset": res("gcp:healthcare/dataset:Dataset", "dataset", {
		"name": "health", "location": "europe-west4",
		"encryptionSpec": {"kmsKeyName": "projects/p/locations/europe-west4/keyRings/medinfra/cryptoKeys/data"},
	}, {"/encryptionSpec/kmsKeyName": urn(gkey, "gkey")}),
	"dicom-store": res("gcp:healthcare/dicomStore:DicomStore", "dicom-store", {
		"dataset": "projects/p/locations/europe-west4/datasets/health", "name": "imaging", "labels": labels,
	}, {"/dataset": urn("gcp:healthcare/dataset:Dataset", "dataset")}),
	"fhir-store": res("gcp:healthcare/fhirStore:FhirStore", "fhir-store", {
		"dataset": "projects/p/locations/europe-west4/datasets/health", "name": "clinical", "version": "R4",
		"disableResourceVersioning": false, "labels": labels,
	}, {"/dataset": urn("gcp:healthcare/dataset:Dataset", "dataset")}),
	"healthcare-audit": res("gcp:projects/iAMAuditConfig:IAMAuditConfig", "healthcare-audit", {
		"project": "p", "service": "healthcare.googleapis.com",
		"auditLogConfigs": [{"logType": "ADMIN_READ"}, {"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}],
	}, {}),
	"dicom-reader": res("gcp:healthcare/dicomStoreIamMember:DicomStoreIamMember", "dicom-reader", {
		"dicomStoreId": "projects/p/locations/europe-west4/datasets/health/dicomStores/imaging",
		"role": "roles/healthcare.dicomViewer", "member": "serviceAccount:model@p.iam.gserviceaccount.com",
	}, {"/dicomStoreId": urn("gcp:healthcare/dicomStore:DicomStore", "dicom-store")}),
	"fhir-reader": res("gcp:healthcare/fhirStoreIamMember:FhirStoreIamMember", "fhir-reader", {
		"fhirStoreId": "projects/p/locations/europe-west4/datasets/health/fhirStores/clinical",
		"role": "roles/healthcare.fhirResourceReader", "member": "serviceAccount:model@p.iam.gserviceaccount.com",
	}, {"/fhirStoreId": urn("gcp:healthcare/fhirStore:FhirStore", "fhir-store")}),
	"log-bucket": res("gcp:logging/projectBucketConfig:ProjectBucketConfig", "log-bucket", {
		"project": "p", "location": "europe-west4", "bucketId": "medinfra", "retentionDays": 2190,
		"cmekSettings": {"kmsKeyName": "projects/p/locations/europe-west4/keyRings/medinfra/cryptoKeys/logs"},
	}, {"/cmekSettings/kmsKeyName": urn(gkey, "gkey")}),
}

isvc := "kubernetes:serving.kserve.io/v1beta1:InferenceService"

# KServe on top of the AWS plan (its registry, store and GPU pool).
kserve := object.union(aws, {
	"namespace": res("kubernetes:core/v1:Namespace", "namespace", {
		"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "models", "labels": {
			"pod-security.kubernetes.io/enforce": "restricted",
			"pod-security.kubernetes.io/audit": "restricted",
			"pod-security.kubernetes.io/warn": "restricted",
		}},
	}, {}),
	"default-deny": res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny", {
		"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
		"metadata": {"name": "default-deny", "namespace": "models"},
		"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
	}, {}),
	"service-account": res("kubernetes:core/v1:ServiceAccount", "service-account", {
		"apiVersion": "v1", "kind": "ServiceAccount",
		"metadata": {"name": "chest-xray", "namespace": "models", "annotations": {"eks.amazonaws.com/role-arn": "arn:role"}},
	}, {}),
	"pdb": res("kubernetes:policy/v1:PodDisruptionBudget", "pdb", {
		"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
		"metadata": {"name": "chest-xray", "namespace": "models"},
		"spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"serving.kserve.io/inferenceservice": "chest-xray"}}},
	}, {}),
	"kserve-release": res("kubernetes:helm.sh/v3:Release", "kserve-release", {
		"chart": "oci://ghcr.io/kserve/charts/kserve-resources", "version": "v0.20.0", "namespace": "kserve",
		"values": {"kserve": {"storage": {
			"image": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/medinfra/models", "tag": concat("", ["v0.20.0@sha256:", sha]),
			"containerSecurityContext": {
				"allowPrivilegeEscalation": false, "privileged": false, "readOnlyRootFilesystem": true,
				"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"},
			},
		}}},
	}, {"/values/kserve/storage/image": urn("aws:ecr/repository:Repository", "ecr")}),
	"isvc": res(isvc, "isvc", {
		"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
		"metadata": {
			"name": "chest-xray", "namespace": "models",
			"labels": {"app.kubernetes.io/name": "chest-xray", "app.kubernetes.io/version": "1.0"},
			"annotations": {
				"serving.kserve.io/deploymentMode": "Standard",
				"medinfra.io/model-sha256": sha, "medinfra.io/model-version": "1.0",
				"medinfra.io/image-digest": digest,
			},
		},
		"spec": {"predictor": {
			"serviceAccountName": "chest-xray", "minReplicas": 2, "maxReplicas": 4,
			"nodeSelector": {"nvidia.com/gpu.present": "true"},
			"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
			"securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
			"model": {
				"modelFormat": {"name": "pytorch"},
				"storageUri": "s3://phi-data/chest-xray/1.0/",
				"image": concat("", ["123456789012.dkr.ecr.eu-central-1.amazonaws.com/medinfra/models@", digest]),
				"resources": {
					"requests": {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"},
					"limits": {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false, "privileged": false, "readOnlyRootFilesystem": true,
					"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]},
				},
			},
		}},
	}, {"/spec/predictor/model/image": urn("aws:ecr/repository:Repository", "ecr")}),
	"deployment": res("kubernetes:apps/v1:Deployment", "deployment", {
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": {"name": "gateway", "namespace": "models"},
		"spec": {"selector": {"matchLabels": {"app": "gateway"}}, "template": {
			"metadata": {"labels": {"app": "gateway"}},
			"spec": {
				"securityContext": {"runAsNonRoot": true},
				"containers": [{
					"name": "gateway", "image": concat("", ["registry.example/gateway@", digest]),
					"resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}},
					"securityContext": {
						"allowPrivilegeEscalation": false, "privileged": false, "readOnlyRootFilesystem": true,
						"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]},
					},
				}],
			},
		}},
	}, {}),
})
