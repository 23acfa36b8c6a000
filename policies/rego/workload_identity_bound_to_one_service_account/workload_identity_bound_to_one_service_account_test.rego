package medinfra.rules.workload_identity_bound_to_one_service_account_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.workload_identity_bound_to_one_service_account as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

issuer := "oidc.eks.eu-central-1.amazonaws.com/id/X"

irsa := {
	"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
	"Principal": {"Federated": concat("", ["arn:aws:iam::123456789012:oidc-provider/", issuer])},
	"Condition": {"StringEquals": {
		concat("", [issuer, ":sub"]): "system:serviceaccount:models:chest-xray",
		concat("", [issuer, ":aud"]): "sts.amazonaws.com",
	}},
}

# The fixture plan with the model role trusting these statements.
trusting(statements) := object.union(fx.aws, {"model-role": {"props": {
	"assumeRolePolicy": json.marshal({"Version": "2012-10-17", "Statement": statements}),
}}})

role := fx.aws["model-role"].urn

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
	found(fx.gcp) == set()
	found(fx.kserve) == set()
	found(trusting([irsa])) == set()
}

test_aws_service_role_is_not_a_workload_identity_and_passes if {
	found(trusting([{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}])) == set()
}

test_aws_sub_not_pinned_fails if {
	found(trusting([json.remove(irsa, [["Condition", "StringEquals", concat("", [issuer, ":sub"])]])])) == {role}
}

test_aws_sub_matched_with_string_like_fails if {
	statement := object.union(json.remove(irsa, [["Condition", "StringEquals", concat("", [issuer, ":sub"])]]), {"Condition": {
		"StringLike": {concat("", [issuer, ":sub"]): "system:serviceaccount:models:*"},
	}})
	found(trusting([statement])) == {role}
}

test_aws_wildcard_sub_fails if {
	found(trusting([object.union(irsa, {"Condition": {"StringEquals": {concat("", [issuer, ":sub"]): "*"}}})])) == {role}
}

test_aws_two_accounts_in_one_statement_fail if {
	subs := ["system:serviceaccount:models:chest-xray", "system:serviceaccount:models:triage"]
	found(trusting([object.union(irsa, {"Condition": {"StringEquals": {concat("", [issuer, ":sub"]): subs}}})])) == {role}
}

test_aws_two_statements_for_two_accounts_fail if {
	other := object.union(irsa, {"Condition": {"StringEquals": {concat("", [issuer, ":sub"]): "system:serviceaccount:models:triage"}}})
	found(trusting([irsa, other])) == {role}
}

test_aws_aud_omitted_fails if {
	found(trusting([json.remove(irsa, [["Condition", "StringEquals", concat("", [issuer, ":aud"])]])])) == {role}
}

test_aws_issuer_outside_the_plan_fails if {
	found(object.remove(fx.aws, ["oidc"])) == {role}
}

test_aws_trust_policy_omitted_fails if {
	found(json.remove(fx.aws, ["model-role/props/assumeRolePolicy"])) == {role}
}

fic := fx.azure.federation.urn

test_azure_wildcard_subject_fails if {
	found(object.union(fx.azure, {"federation": {"props": {"subject": "system:serviceaccount:models:*"}}})) == {fic}
}

test_azure_subject_omitted_fails if {
	found(json.remove(fx.azure, ["federation/props/subject"])) == {fic}
}

test_azure_extra_audience_fails if {
	found(object.union(fx.azure, {"federation": {"props": {"audiences": ["api://AzureADTokenExchange", "api://other"]}}})) == {fic}
}

test_azure_issuer_outside_the_plan_fails if {
	found(json.remove(fx.azure, [["federation", "references", "/issuer"]])) == {fic}
}

test_azure_issuer_omitted_fails if {
	found(json.remove(fx.azure, ["federation/props/issuer"])) == {fic}
}

test_azure_second_credential_for_another_account_fails_both if {
	second := object.union(fx.azure.federation, {
		"urn": "urn:second", "name": "second",
		"props": {"federatedIdentityCredentialResourceName": "triage", "subject": "system:serviceaccount:models:triage"},
	})
	found(object.union(fx.azure, {"second": second})) == {fic, "urn:second"}
}

test_azure_second_credential_for_the_same_account_passes if {
	second := object.union(fx.azure.federation, {
		"urn": "urn:second", "name": "second",
		"props": {"federatedIdentityCredentialResourceName": "chest-xray-blue"},
	})
	found(object.union(fx.azure, {"second": second})) == set()
}

grant := fx.gcp["model-workload"].urn

test_gcp_namespace_principal_set_fails if {
	member := "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p.svc.id.goog/namespace/models"
	found(object.union(fx.gcp, {"model-workload": {"props": {"member": member}}})) == {grant}
}

test_gcp_wildcard_account_fails if {
	found(object.union(fx.gcp, {"model-workload": {"props": {"member": "serviceAccount:p.svc.id.goog[models/*]"}}})) == {grant}
}

test_gcp_pool_outside_the_plan_fails if {
	found(object.union(fx.gcp, {"model-workload": {"props": {"member": "serviceAccount:other.svc.id.goog[models/chest-xray]"}}})) == {grant}
}

test_gcp_member_omitted_fails if {
	found(json.remove(fx.gcp, ["model-workload/props/member"])) == {grant}
}

test_gcp_second_member_on_one_account_fails_both if {
	second := object.union(fx.gcp["model-workload"], {
		"urn": "urn:second", "name": "second",
		"props": {"member": "serviceAccount:p.svc.id.goog[models/triage]"},
	})
	found(object.union(fx.gcp, {"second": second})) == {grant, "urn:second"}
}

test_gcp_binding_of_two_accounts_fails if {
	binding := data.medinfra.fixtures.res("gcp:serviceaccount/iAMBinding:IAMBinding", "binding", {
		"serviceAccountId": "projects/p/serviceAccounts/triage@p.iam.gserviceaccount.com",
		"role": "roles/iam.workloadIdentityUser",
		"members": ["serviceAccount:p.svc.id.goog[models/triage]", "serviceAccount:p.svc.id.goog[models/chest-xray]"],
	}, {})
	found(object.union(fx.gcp, {"binding": binding})) == {binding.urn}
}

test_gcp_other_roles_on_a_service_account_are_not_judged_here_and_pass if {
	found(object.union(fx.gcp, {"model-workload": {"props": {"role": "roles/iam.serviceAccountViewer", "member": "user:a@example.org"}}})) == set()
}

# EKS Pod Identity: the fixture's model role trusting pods of the plan's cluster, and the
# association granting it to models/chest-xray.

pod_identity := {
	"Sid": "EksPodIdentity", "Effect": "Allow",
	"Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"],
	"Condition": {"StringEquals": {
		"aws:SourceAccount": "123456789012",
		"aws:RequestTag/eks-cluster-name": "medinfra",
		"aws:RequestTag/kubernetes-namespace": "models",
		"aws:RequestTag/kubernetes-service-account": "chest-xray",
	}},
}

association_type := "aws:eks/podIdentityAssociation:PodIdentityAssociation"

association(name, account) := data.medinfra.fixtures.res(association_type, name, {
	"clusterName": "medinfra", "namespace": "models", "serviceAccount": account, "roleArn": "arn:role",
}, {"/roleArn": role, "/clusterName": fx.aws.eks.urn})

pod_plan(statement, extra) := object.union(object.union(trusting([statement]), {"association": association("association", "chest-xray")}), extra)

test_aws_pod_identity_for_one_account_of_a_plan_cluster_passes if {
	found(pod_plan(pod_identity, {})) == set()
}

test_aws_pod_identity_without_each_pinned_tag_fails if {
	every tag in ["aws:RequestTag/eks-cluster-name", "aws:RequestTag/kubernetes-namespace", "aws:RequestTag/kubernetes-service-account"] {
		found(pod_plan(json.remove(pod_identity, [["Condition", "StringEquals", tag]]), {})) == {role}
	}
}

test_aws_pod_identity_tag_matched_with_string_like_fails if {
	statement := object.union(json.remove(pod_identity, [["Condition", "StringEquals", "aws:RequestTag/kubernetes-service-account"]]), {"Condition": {
		"StringLike": {"aws:RequestTag/kubernetes-service-account": "*"},
	}})
	found(pod_plan(statement, {})) == {role}
}

test_aws_pod_identity_two_accounts_in_the_tag_fail if {
	statement := object.union(pod_identity, {"Condition": {"StringEquals": {"aws:RequestTag/kubernetes-service-account": ["chest-xray", "triage"]}}})
	found(pod_plan(statement, {})) == {role}
}

test_aws_pod_identity_of_a_cluster_outside_the_plan_fails if {
	statement := object.union(pod_identity, {"Condition": {"StringEquals": {"aws:RequestTag/eks-cluster-name": "someone-elses"}}})
	found(pod_plan(statement, {})) == {role}
}

test_aws_pod_identity_association_for_another_account_fails if {
	found(pod_plan(pod_identity, {"association": association("association", "triage")})) == {urn_of_association}
}

urn_of_association := data.medinfra.fixtures.urn(association_type, "association")

test_aws_role_associated_with_two_accounts_fails if {
	plan := pod_plan(pod_identity, {"second": association("second", "triage")})
	found(plan) == {role, data.medinfra.fixtures.urn(association_type, "second")}
}

test_aws_association_with_a_role_outside_the_plan_fails if {
	found(json.remove(pod_plan(pod_identity, {}), [["association", "references", "/roleArn"]])) == {urn_of_association}
}

stack_reference := data.medinfra.fixtures.res("pulumi:pulumi:StackReference", "org/platform/prod", {
	"name": "org/platform/prod", "outputs": {"modelRoleArn": "arn:aws:iam::123456789012:role/platform-model"},
	"secretOutputNames": [],
}, {})

test_aws_association_with_a_role_read_from_another_stack_fails_and_names_the_stack if {
	external := object.union(json.remove(association("association", "chest-xray"), [["references", "/roleArn"]]), {
		"props": {"roleArn": "arn:aws:iam::123456789012:role/platform-model"},
		"stack_outputs": {"/roleArn": {"stack": "org/platform/prod", "output": "modelRoleArn", "reference": stack_reference.urn}},
	})
	plan := {"eks": fx.aws.eks, "platform": stack_reference, "association": external}
	messages := {f.message | some f in rule.deny} with input as data.medinfra.fixtures.inventory(plan)
	messages == {"Pod Identity association association grants a role that is neither a role of this plan nor one the organisation trusts: arn:aws:iam::123456789012:role/platform-model, read from stack org/platform/prod (output modelRoleArn)"}
}

test_aws_association_with_a_trusted_role_read_from_another_stack_passes if {
	external := object.union(json.remove(association("association", "chest-xray"), [["references", "/roleArn"]]), {
		"props": {"roleArn": "arn:aws:iam::123456789012:role/platform-model"},
		"stack_outputs": {"/roleArn": {"stack": "org/platform/prod", "output": "modelRoleArn", "reference": stack_reference.urn}},
	})
	plan := {"eks": fx.aws.eks, "platform": stack_reference, "association": external}
	trusting := data.medinfra.fixtures.inventory_settings(plan, {"trustedIdentities": ["^arn:aws:iam::123456789012:role/platform-[^/]*$"]})
	count(rule.deny) == 0 with input as trusting
	untrusting := data.medinfra.fixtures.inventory_settings(plan, {"trustedIdentities": ["^arn:aws:iam::999999999999:role/platform-[^/]*$"]})
	count(rule.deny) == 1 with input as untrusting
}
