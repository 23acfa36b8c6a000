"""Pod Security Standards "restricted" (components/k8s/pss.py), check by check, in the API
server's words (k8s.io/pod-security-admission v0.33.9)."""

from __future__ import annotations

import copy

import pytest
from medinfra.components.k8s.pss import forbidden_message, restricted_violations

SC = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
RESTRICTED_POD = {
    "metadata": {"name": "p"},
    "spec": {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "initContainers": [{"name": "init", "image": "i", "securityContext": copy.deepcopy(SC)}],
        "containers": [{"name": "app", "image": "a", "securityContext": copy.deepcopy(SC)}],
        "volumes": [{"name": "scratch", "emptyDir": {}}],
    },
}


def _pod(spec: dict | None = None, app: dict | None = None, meta: dict | None = None) -> dict:
    pod = copy.deepcopy(RESTRICTED_POD)
    pod["spec"].update(spec or {})
    pod["spec"]["containers"][0]["securityContext"].update(app or {})
    pod["metadata"].update(meta or {})
    return pod


# (check, pod that fails it, the API server's reason and detail, pod that passes it)
CASES = [
    ("appArmorProfile", _pod(app={"appArmorProfile": {"type": "Unconfined"}}),
     ("forbidden AppArmor profile", 'container "app" must not set AppArmor profile type to '
      '"Unconfined"'), _pod(app={"appArmorProfile": {"type": "RuntimeDefault"}})),
    ("hostNamespaces", _pod({"hostNetwork": True, "hostPID": True}),
     ("host namespaces", "hostNetwork=true, hostPID=true"), _pod({"hostNetwork": False})),
    ("hostPorts", _pod(), ("hostPort", 'container "app" uses hostPort 8080'), _pod()),
    ("privileged", _pod(app={"privileged": True}),
     ("privileged", 'container "app" must not set securityContext.privileged=true'),
     _pod(app={"privileged": False})),
    ("procMount", _pod(app={"procMount": "Unmasked"}),
     ("procMount", 'container "app" must not set securityContext.procMount to "Unmasked"'),
     _pod(app={"procMount": "Default"})),
    ("seLinuxOptions", _pod(app={"seLinuxOptions": {"type": "spc_t"}}),
     ("seLinuxOptions", 'container "app" set forbidden securityContext.seLinuxOptions: type '
      '"spc_t"'), _pod(app={"seLinuxOptions": {"type": "container_t"}})),
    ("sysctls", _pod({"securityContext": {"runAsNonRoot": True, "seccompProfile": {
        "type": "RuntimeDefault"}, "sysctls": [{"name": "kernel.msgmax", "value": "1"}]}}),
     ("forbidden sysctls", "kernel.msgmax"),
     _pod({"securityContext": {"runAsNonRoot": True, "seccompProfile": {
         "type": "RuntimeDefault"}, "sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "1"}]}})),
    ("windowsHostProcess", _pod(app={"windowsOptions": {"hostProcess": True}}),
     ("hostProcess", 'container "app" must not set securityContext.windowsOptions.'
      "hostProcess=true"), _pod(app={"windowsOptions": {"hostProcess": False}})),
    ("allowPrivilegeEscalation", _pod(app={"allowPrivilegeEscalation": True}),
     ("allowPrivilegeEscalation != false",
      'container "app" must set securityContext.allowPrivilegeEscalation=false'), _pod()),
    ("capabilities_restricted", _pod(app={"capabilities": {"drop": ["ALL"], "add": ["NET_RAW"]}}),
     ("unrestricted capabilities", 'container "app" must not include "NET_RAW" in '
      "securityContext.capabilities.add"),
     _pod(app={"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}})),
    ("restrictedVolumes", _pod({"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}),
     ("restricted volume types", 'volume "h" uses restricted volume type "hostPath"'),
     _pod({"volumes": [{"name": "s", "secret": {"secretName": "x"}}]})),
    ("runAsNonRoot", _pod(app={"runAsNonRoot": False}),
     ("runAsNonRoot != true", 'container "app" must not set securityContext.runAsNonRoot=false'),
     _pod(app={"runAsNonRoot": True})),
    ("runAsUser", _pod(app={"runAsUser": 0}),
     ("runAsUser=0", 'container "app" must not set runAsUser=0'), _pod(app={"runAsUser": 1000})),
    ("seccompProfile_restricted", _pod(app={"seccompProfile": {"type": "Unconfined"}}),
     ("seccompProfile", 'container "app" must not set securityContext.seccompProfile.type to '
      '"Unconfined"'), _pod(app={"seccompProfile": {"type": "Localhost"}})),
]
CASES[2][1]["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "hostPort": 8080}]
CASES[2][3]["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]


@pytest.mark.parametrize(("failing", "violation", "passing"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_each_restricted_check_refuses_in_the_api_servers_words_and_passes_the_fix(
        failing, violation, passing):
    assert restricted_violations(failing) == [violation]
    assert restricted_violations(passing) == []


def test_a_compliant_pod_is_admitted():
    assert forbidden_message(RESTRICTED_POD) is None


def test_pod_level_run_as_non_root_and_seccomp_cover_every_container():
    pod = _pod()
    assert "runAsNonRoot" not in pod["spec"]["containers"][0]["securityContext"]
    pod["spec"]["securityContext"] = {}
    assert [r for r, _ in restricted_violations(pod)] == ["runAsNonRoot != true", "seccompProfile"]


def test_a_bare_pod_gets_the_api_servers_full_refusal_naming_every_container():
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]}}
    assert forbidden_message(pod) == (
        'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false '
        '(containers "a", "b" must set securityContext.allowPrivilegeEscalation=false), '
        'unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.'
        'drop=["ALL"]), runAsNonRoot != true (pod or containers "a", "b" must set '
        'securityContext.runAsNonRoot=true), seccompProfile (pod or containers "a", "b" must '
        'set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")')


def test_windows_pods_skip_the_linux_only_checks():
    pod = {"metadata": {}, "spec": {"os": {"name": "windows"}, "securityContext": {
        "runAsNonRoot": True}, "containers": [{"name": "w"}]}}
    assert forbidden_message(pod) is None


def test_pod_and_container_setting_run_as_non_root_false_are_both_named():
    pod = _pod({"securityContext": {"runAsNonRoot": False,
                                    "seccompProfile": {"type": "RuntimeDefault"}}},
               app={"runAsNonRoot": False})
    assert restricted_violations(pod) == [("runAsNonRoot != true", 'pod and container "app" must '
                                           "not set securityContext.runAsNonRoot=false")]
