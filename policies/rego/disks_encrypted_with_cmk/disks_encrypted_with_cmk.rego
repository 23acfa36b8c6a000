# METADATA
# title: Node disks and persistent volumes are encrypted with a customer-managed key of this plan
# description: >-
#   GPU nodes cache model weights and may spill inference inputs to disk. Node root/boot disks
#   (EKS launch templates, AKS disk encryption set, GKE node pools) and the default Kubernetes
#   storage class are encrypted with a customer-managed key of this stack.
# custom:
#   id: MED-ENC-004
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(2)(iv)"]
#     gdpr: ["Art.32(1)(a)"]
#     cis: ["AWS 2.2.1"]
#   resource_types:
#     - aws:ec2/launchTemplate:LaunchTemplate
#     - kubernetes:storage.k8s.io/v1:StorageClass
#     - azure-native:containerservice:ManagedCluster
#     - azure-native:compute:DiskEncryptionSet
#     - gcp:container/nodePool:NodePool
#   remediation: >-
#     AWS: every launch template block device has ebs.encrypted "true" and ebs.kmsKeyId a key of
#     this stack; EBS storage classes set parameters.encrypted "true" and kmsKeyId. Azure: set
#     diskEncryptionSetID to a DiskEncryptionSet whose activeKey is a Key Vault key of this stack.
#     GCP: set nodeConfig.bootDiskKmsKey to a Cloud KMS key of this stack.
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/gpu_cluster.py: GpuClusterArgs.volumes_key_arn / GpuCluster._node_group()"
#     azure:
#       - "components/azure/disk_encryption.py: DiskEncryptionArgs.key_uri / DiskEncryption"
#       - "components/azure/gpu_cluster.py: GpuClusterArgs.disk_encryption_set_id / GpuCluster"
#     gcp:
#       - "components/gcp/gpu_cluster.py: GpuClusterArgs.volumes_key_id / GpuCluster._node_config()"
#     k8s:
#       - "components/aws/gpu_cluster.py: GpuClusterArgs.volumes_key_arn / GpuCluster"
#       - "components/azure/gpu_cluster.py: GpuClusterArgs.disk_encryption_set_id / GpuCluster"
package medinfra.rules.disks_encrypted_with_cmk

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:ec2/launchTemplate:LaunchTemplate": {
		"/blockDeviceMappings/*/ebs/encrypted": "value",
		"/blockDeviceMappings/*/ebs/kmsKeyId": "cmk",
	},
	"kubernetes:storage.k8s.io/v1:StorageClass": {
		"/provisioner": "value",
		"/parameters/encrypted": "value",
		"/parameters/kmsKeyId": "cmk",
	},
	"azure-native:containerservice:ManagedCluster": {
		"/diskEncryptionSetID": "disk_encryption_set",
	},
	"azure-native:compute:DiskEncryptionSet": {
		"/activeKey/keyUrl": "cmk",
	},
	"gcp:container/nodePool:NodePool": {
		"/nodeConfig/bootDiskKmsKey": "cmk",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

deny contains finding if {
	some lt in data.medinfra.lib.of_type("aws:ec2/launchTemplate:LaunchTemplate")
	some i, mapping in data.medinfra.lib.items(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(lt.props), "blockDeviceMappings", [])))
	not encrypted_mapping(lt, i, mapping)
	finding := data.medinfra.lib.finding(lt, sprintf("launch template %s block device %v is not encrypted with a KMS key of this plan", [lt.name, object.get(data.medinfra.lib.obj(mapping), "deviceName", i)]))
}

deny contains finding if {
	some lt in data.medinfra.lib.of_type("aws:ec2/launchTemplate:LaunchTemplate")
	count(data.medinfra.lib.arr(object.get(data.medinfra.lib.obj(lt.props), "blockDeviceMappings", []))) == 0
	finding := data.medinfra.lib.finding(lt, sprintf("launch template %s does not declare an encrypted root volume", [lt.name]))
}

encrypted_mapping(lt, i, mapping) if {
	mapping.ebs.encrypted in {"true", true}
	data.medinfra.lib.plan_key(lt, sprintf("/blockDeviceMappings/%d/ebs/kmsKeyId", [i]), mapping.ebs.kmsKeyId)
}

ebs_provisioners := {"ebs.csi.aws.com", "kubernetes.io/aws-ebs"}

deny contains finding if {
	some sc in data.medinfra.lib.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
	sc.props.provisioner in ebs_provisioners
	not encrypted_class(sc)
	finding := data.medinfra.lib.finding(sc, sprintf("storage class %s provisions EBS volumes without a KMS key of this plan", [sc.name]))
}

encrypted_class(sc) if {
	sc.props.parameters.encrypted == "true"
	data.medinfra.lib.plan_key(sc, "/parameters/kmsKeyId", sc.props.parameters.kmsKeyId)
}

deny contains finding if {
	some cluster in data.medinfra.lib.of_type("azure-native:containerservice:ManagedCluster")
	not aks_disks_encrypted(cluster)
	finding := data.medinfra.lib.finding(cluster, sprintf("AKS cluster %s node disks are not encrypted with a disk encryption set of this plan", [cluster.name]))
}

aks_disks_encrypted(cluster) if {
	data.medinfra.lib.is_unknown(cluster.props.diskEncryptionSetID)
	data.medinfra.lib.traced(cluster, "/diskEncryptionSetID", "disk_encryption_set")
}

aks_disks_encrypted(cluster) if {
	not data.medinfra.lib.is_unknown(cluster.props.diskEncryptionSetID)
	des := data.medinfra.lib.referenced(cluster, "/diskEncryptionSetID")
	des.type == "azure-native:compute:DiskEncryptionSet"
	data.medinfra.lib.plan_key(des, "/activeKey/keyUrl", des.props.activeKey.keyUrl)
}

deny contains finding if {
	some des in data.medinfra.lib.of_type("azure-native:compute:DiskEncryptionSet")
	not data.medinfra.lib.plan_key(des, "/activeKey/keyUrl", object.get(data.medinfra.lib.obj(des.props), ["activeKey", "keyUrl"], null))
	finding := data.medinfra.lib.finding(des, sprintf("disk encryption set %s does not use a Key Vault key of this plan", [des.name]))
}

deny contains finding if {
	some pool in data.medinfra.lib.of_type("gcp:container/nodePool:NodePool")
	not data.medinfra.lib.plan_key(pool, "/nodeConfig/bootDiskKmsKey", object.get(data.medinfra.lib.obj(pool.props), ["nodeConfig", "bootDiskKmsKey"], null))
	finding := data.medinfra.lib.finding(pool, sprintf("GKE node pool %s boot disks are not encrypted with a Cloud KMS key of this plan (nodeConfig.bootDiskKmsKey)", [pool.name]))
}
