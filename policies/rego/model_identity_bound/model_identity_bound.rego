# METADATA
# title: Model servers run as a service account bound to a cloud workload identity
# description: >-
#   A model server reads model weights (and possibly patient data) from cloud storage. It must
#   do so as its own workload identity, with no stored keys: its InferenceService names a
#   service account of this plan, and that service account is bound to an AWS role (IRSA, or an
#   EKS Pod Identity association of this plan whose role is of this plan or trusted), an Azure
#   workload identity or a GCP service account. Roles outside the plan (a platform stack's) are
#   accepted when they match trustedIdentities of the medinfra-settings policy in the
#   policy-pack config.
# custom:
#   id: MED-IAM-004
#   severity: high
#   controls:
#     hipaa: ["164.312(a)(1)", "164.312(d)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["EKS 4.1.6"]
#   resource_types:
#     - kubernetes:serving.kserve.io/v1beta1:InferenceService
#     - kubernetes:core/v1:ServiceAccount
#     - aws:eks/podIdentityAssociation:PodIdentityAssociation
#   remediation: >-
#     Set spec.predictor.serviceAccountName to a ServiceAccount created in the same plan and
#     namespace, annotated with eks.amazonaws.com/role-arn, azure.workload.identity/client-id or
#     iam.gke.io/gcp-service-account, or named by an EKS Pod Identity association of this plan
#     whose role is a role of this plan (MedInfra's components do this) or matches
#     trustedIdentities in the policy-pack config.
#   waivable: false
#   satisfied_by:
#     aws:
#       - "components/aws/identity.py: WorkloadIdentityArgs.service_account / WorkloadIdentity"
#     k8s:
#       - "components/k8s/inference_service.py: InferenceServiceArgs.service_account_annotations / InferenceService"
#       - "components/k8s/isvc_spec.py: IsvcInputs.service_account / render()"
package medinfra.rules.model_identity_bound

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"kubernetes:serving.kserve.io/v1beta1:InferenceService": {
		"/metadata/namespace": "value",
		"/spec/*/serviceAccountName": "value",
	},
	"kubernetes:core/v1:ServiceAccount": {
		"/metadata/name": "value",
		"/metadata/namespace": "value",
		"/metadata/annotations/*": "identity",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

identity_annotations := {"eks.amazonaws.com/role-arn", "azure.workload.identity/client-id", "iam.gke.io/gcp-service-account"}

bound_accounts contains value if {
	some sa in data.medinfra.lib.of_type("kubernetes:core/v1:ServiceAccount")
	some a, role in data.medinfra.lib.items(sa.props.metadata.annotations)
	a in identity_annotations
	role != ""
	value := sprintf("%s/%s", [object.get(data.medinfra.lib.obj(sa.props.metadata), "namespace", "default"), sa.props.metadata.name])
}

# EKS Pod Identity binds by association, not by annotation.
bound_accounts contains value if {
	some sa in data.medinfra.lib.of_type("kubernetes:core/v1:ServiceAccount")
	metadata := data.medinfra.lib.obj(sa.props.metadata)
	namespace := object.get(metadata, "namespace", "default")
	some a in data.medinfra.lib.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
	role_of_plan_or_trusted(a)
	a.props.namespace == namespace
	a.props.serviceAccount == metadata.name
	value := sprintf("%s/%s", [namespace, metadata.name])
}

# The association's role is a role of this plan, or one outside it that the organisation trusts
# (trustedIdentities in the policy-pack config, e.g. the platform stack's roles).
role_of_plan_or_trusted(a) if a.references["/roleArn"]

role_of_plan_or_trusted(a) if data.medinfra.lib.trusted_identity(a.props.roleArn)

deny contains finding if {
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	some component, spec in data.medinfra.lib.items(object.get(data.medinfra.lib.obj(isvc.props), "spec", {}))
	is_object(spec)
	account := sprintf("%s/%s", [object.get(data.medinfra.lib.obj(isvc.props.metadata), "namespace", "default"), object.get(data.medinfra.lib.obj(spec), "serviceAccountName", "default")])
	not account in bound_accounts
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s %s runs as %s, which is not a service account of this plan bound to a cloud identity", [isvc.name, component, account]))
}

deny contains finding if {
	some isvc in data.medinfra.lib.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
	data.medinfra.lib.no_predictor(isvc)
	finding := data.medinfra.lib.finding(isvc, sprintf("InferenceService %s has no predictor in the plan, so the identity it runs as cannot be verified", [isvc.name]))
}
