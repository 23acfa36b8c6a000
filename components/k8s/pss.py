"""Pod Security Standards "restricted", as the API server's PodSecurity admission applies it.

Ported from k8s.io/pod-security-admission v0.33.9 (`policy/check_*.go`), the version that ships
with Kubernetes 1.33 (our clusters' pinned `kubernetesVersion`). The `restricted` level is every
baseline check plus the restricted ones, minus the baseline checks a restricted check overrides
(capabilities, seccomp, hostPath volumes). Checks run in the registry's order (baseline IDs
sorted, then restricted IDs sorted) and speak the API server's words, so
`forbidden_message(pod)` reads exactly like the event a refused ReplicaSet records. The user
namespace relaxation is behind an alpha feature gate that is off in 1.33, so it is not applied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

PSA_VERSION = "k8s.io/pod-security-admission v0.33.9 (Kubernetes 1.33)"
_BASE_CAPS = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
              "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
            "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
_SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
            "persistentVolumeClaim", "projected", "secret"}
_SECCOMP = {"RuntimeDefault", "Localhost"}

Result = tuple[str, str] | None


def _sc(obj: Mapping[str, Any]) -> dict[str, Any]:
    value = obj.get("securityContext")
    return value if isinstance(value, dict) else {}


def _containers(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """visitContainers: init containers, then containers, then ephemeral containers."""
    return [c for key in ("initContainers", "containers", "ephemeralContainers")
            for c in spec.get(key) or [] if isinstance(c, dict)]


def _q(names) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _plural(one: str, many: str, n: int) -> str:
    return one if n == 1 else many


def _who(names: list[str], pod_bad: bool = False) -> str:
    setters = ["pod"] if pod_bad else []
    if names:
        setters.append(f"{_plural('container', 'containers', len(names))} {_q(names)}")
    return " and ".join(setters)


def _windows(spec: Mapping[str, Any]) -> bool:
    return (spec.get("os") or {}).get("name") == "windows"


def app_armor(meta: Mapping[str, Any], spec: Mapping[str, Any]) -> Result:
    pod_type = (_sc(spec).get("appArmorProfile") or {}).get("type")
    pod_bad = pod_type is not None and pod_type not in _SECCOMP
    bad = [c["name"] for c in _containers(spec)
           if (_sc(c).get("appArmorProfile") or {}).get("type") not in (None, *_SECCOMP)]
    values = sorted({t for t in [pod_type if pod_bad else None] + [
        (_sc(c).get("appArmorProfile") or {}).get("type") for c in _containers(spec)
        if c.get("name") in bad] if t})
    notes = sorted(f'{k}="{v}"' for k, v in (meta.get("annotations") or {}).items()
                   if k.startswith("container.apparmor.security.beta.kubernetes.io/")
                   and not (v == "runtime/default" or v.startswith("localhost/")))
    if not (pod_bad or bad or notes):
        return None
    who = _who(bad, pod_bad) if pod_bad or bad else ""
    who = " and ".join(x for x in (who, _plural("annotation", "annotations", len(notes))
                                   if notes else "") if x)
    values += notes
    return (_plural("forbidden AppArmor profile", "forbidden AppArmor profiles", len(values)),
            f"{who} must not set AppArmor profile type to {_q(values)}")


def host_namespaces(_: Mapping, spec: Mapping[str, Any]) -> Result:
    found = [f"{k}=true" for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k) is True]
    return ("host namespaces", ", ".join(found)) if found else None


def host_ports(_: Mapping, spec: Mapping[str, Any]) -> Result:
    bad, ports = [], set()
    for c in _containers(spec):
        used = [p["hostPort"] for p in c.get("ports") or [] if p.get("hostPort")]
        if used:
            bad.append(c["name"])
            ports.update(str(p) for p in used)
    if not bad:
        return None
    return ("hostPort", f"{_plural('container', 'containers', len(bad))} {_q(bad)} "
            f"{_plural('uses', 'use', len(bad))} {_plural('hostPort', 'hostPorts', len(ports))} "
            f"{', '.join(sorted(ports))}")


def privileged(_: Mapping, spec: Mapping[str, Any]) -> Result:
    bad = [c["name"] for c in _containers(spec) if _sc(c).get("privileged") is True]
    return ("privileged", f"{_who(bad)} must not set securityContext.privileged=true"
            ) if bad else None


def proc_mount(_: Mapping, spec: Mapping[str, Any]) -> Result:
    bad = [c for c in _containers(spec) if _sc(c).get("procMount") not in (None, "Default")]
    if not bad:
        return None
    kinds = sorted({_sc(c)["procMount"] for c in bad})
    return ("procMount", f"{_who([c['name'] for c in bad])} must not set "
            f"securityContext.procMount to {_q(kinds)}")


def se_linux(_: Mapping, spec: Mapping[str, Any]) -> Result:
    def bad(opts: Any) -> bool:
        return isinstance(opts, dict) and (opts.get("type", "") not in _SELINUX_TYPES
                                           or bool(opts.get("user")) or bool(opts.get("role")))
    all_opts = [_sc(spec).get("seLinuxOptions")] + [
        _sc(c).get("seLinuxOptions") for c in _containers(spec)]
    pod_bad = bad(all_opts[0])
    names = [c["name"] for c in _containers(spec) if bad(_sc(c).get("seLinuxOptions"))]
    if not (pod_bad or names):
        return None
    opts = [o for o in all_opts if bad(o)]
    types = sorted({o.get("type") for o in opts if o.get("type", "") not in _SELINUX_TYPES})
    data = [f"{_plural('type', 'types', len(types))} {_q(types)}"] if types else []
    data += [f"{k} may not be set" for k in ("user", "role") if any(o.get(k) for o in opts)]
    return ("seLinuxOptions", f"{_who(names, pod_bad)} set forbidden "
            f"securityContext.seLinuxOptions: {'; '.join(data)}")


def sysctls(_: Mapping, spec: Mapping[str, Any]) -> Result:
    bad = [s.get("name") for s in _sc(spec).get("sysctls") or [] if s.get("name") not in _SYSCTLS]
    return ("forbidden sysctls", ", ".join(bad)) if bad else None


def host_process(_: Mapping, spec: Mapping[str, Any]) -> Result:
    def on(obj):
        return (_sc(obj).get("windowsOptions") or {}).get("hostProcess") is True
    bad = [c["name"] for c in _containers(spec) if on(c)]
    if not (on(spec) or bad):
        return None
    return ("hostProcess", f"{_who(bad, on(spec))} must not set "
            "securityContext.windowsOptions.hostProcess=true")


def allow_privilege_escalation(_: Mapping, spec: Mapping[str, Any]) -> Result:
    if _windows(spec):
        return None
    bad = [c["name"] for c in _containers(spec)
           if _sc(c).get("allowPrivilegeEscalation") is not False]
    return ("allowPrivilegeEscalation != false",
            f"{_who(bad)} must set securityContext.allowPrivilegeEscalation=false") if bad else None


def capabilities(_: Mapping, spec: Mapping[str, Any]) -> Result:
    if _windows(spec):
        return None
    no_drop, adding, caps = [], [], set()
    for c in _containers(spec):
        declared = _sc(c).get("capabilities") or {}
        if "ALL" not in (declared.get("drop") or []):
            no_drop.append(c["name"])
        extra = {a for a in declared.get("add") or [] if a != "NET_BIND_SERVICE"}
        if extra:
            adding.append(c["name"])
            caps |= extra
    details = []
    if no_drop:
        details.append(f'{_who(no_drop)} must set securityContext.capabilities.drop=["ALL"]')
    if adding:
        details.append(f"{_who(adding)} must not include {_q(sorted(caps))} in "
                       "securityContext.capabilities.add")
    return ("unrestricted capabilities", "; ".join(details)) if details else None


def restricted_volumes(_: Mapping, spec: Mapping[str, Any]) -> Result:
    bad, kinds = [], set()
    for v in spec.get("volumes") or []:
        source = [k for k in v if k != "name"]
        if not any(k in _VOLUMES for k in source):
            bad.append(v.get("name", ""))
            kinds.update(source[:1])
    if not bad:
        return None
    return ("restricted volume types",
            f"{_plural('volume', 'volumes', len(bad))} {_q(bad)} {_plural('uses', 'use', len(bad))}"
            f" {_plural('restricted volume type', 'restricted volume types', len(kinds))} "
            f"{_q(sorted(kinds))}")


def _pod_and_container_check(spec, key, ok, must, must_not):
    """runAsNonRoot / seccomp shape: an explicit bad value anywhere, else unset everywhere."""
    pod_value = _sc(spec).get(key)
    pod_bad = pod_value is not None and not ok(pod_value)
    explicit = [c for c in _containers(spec) if _sc(c).get(key) is not None
                and not ok(_sc(c)[key])]
    if pod_bad or explicit:
        return must_not(_who([c["name"] for c in explicit], pod_bad), [pod_value] * pod_bad +
                        [_sc(c)[key] for c in explicit])
    if pod_value is not None:
        return None
    implicit = [c["name"] for c in _containers(spec) if _sc(c).get(key) is None]
    return must(implicit) if implicit else None


def run_as_non_root(_: Mapping, spec: Mapping[str, Any]) -> Result:
    return _pod_and_container_check(
        spec, "runAsNonRoot", lambda v: v is True,
        lambda names: ("runAsNonRoot != true", f"pod or {_who(names)} must set "
                       "securityContext.runAsNonRoot=true"),
        lambda who, _: ("runAsNonRoot != true",
                        f"{who} must not set securityContext.runAsNonRoot=false"))


def run_as_user(_: Mapping, spec: Mapping[str, Any]) -> Result:
    bad = [c["name"] for c in _containers(spec) if _sc(c).get("runAsUser") == 0]
    pod_bad = _sc(spec).get("runAsUser") == 0
    return ("runAsUser=0", f"{_who(bad, pod_bad)} must not set runAsUser=0"
            ) if bad or pod_bad else None


def seccomp(_: Mapping, spec: Mapping[str, Any]) -> Result:
    if _windows(spec):
        return None
    return _pod_and_container_check(
        spec, "seccompProfile", lambda v: (v or {}).get("type") in _SECCOMP,
        lambda names: ("seccompProfile", f"pod or {_who(names)} must set securityContext."
                       'seccompProfile.type to "RuntimeDefault" or "Localhost"'),
        lambda who, values: ("seccompProfile", f"{who} must not set securityContext.seccompProfile"
                             f".type to {_q(sorted({v.get('type') for v in values}))}"))


#: (check ID, check) in the registry's order for level "restricted".
RESTRICTED: tuple[tuple[str, Callable[[Mapping, Mapping], Result]], ...] = (
    ("appArmorProfile", app_armor), ("hostNamespaces", host_namespaces),
    ("hostPorts", host_ports), ("privileged", privileged), ("procMount", proc_mount),
    ("seLinuxOptions", se_linux), ("sysctls", sysctls), ("windowsHostProcess", host_process),
    ("allowPrivilegeEscalation", allow_privilege_escalation),
    ("capabilities_restricted", capabilities), ("restrictedVolumes", restricted_volumes),
    ("runAsNonRoot", run_as_non_root), ("runAsUser", run_as_user),
    ("seccompProfile_restricted", seccomp),
)


def restricted_violations(pod: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(forbidden reason, detail) for every restricted check the pod fails, in order."""
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    return [r for _, check in RESTRICTED if (r := check(meta, spec)) is not None]


def forbidden_message(pod: Mapping[str, Any]) -> str | None:
    """The API server's refusal for this pod in a `restricted` namespace, or None."""
    found = restricted_violations(pod)
    if not found:
        return None
    return 'violates PodSecurity "restricted:latest": ' + ", ".join(
        f"{reason} ({detail})" for reason, detail in found)
