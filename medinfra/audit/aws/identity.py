"""IAM roles, their inline policies and managed-policy attachments."""

from __future__ import annotations

from typing import Any

from medinfra.audit.aws.common import (
    ATTACHMENT,
    ROLE,
    ROLE_POLICY,
    _autonamed,
    _policy_text,
    _tags,
)


class IdentityReads:
    """Reads of AwsReader: see the module docstring."""

    # -- IAM --------------------------------------------------------------------------------

    def _roles(self) -> list[dict]:
        if self._roles_listed is None:
            self._roles_listed = list(self.aws.pages("iam", "list_roles", "Roles"))
        return self._roles_listed

    def _role(self, r: dict) -> dict | None:
        wanted = r["props"].get("name")
        match = [
            role for role in self._roles()
            if (role["RoleName"] == wanted if wanted else _autonamed(r["name"], role["RoleName"]))
        ]
        if not match:
            return None
        return self._read_role(match[0]["RoleName"], r)

    def _read_role(self, name: str, r: dict) -> dict | None:
        answer = self.aws.call("iam", "get_role", missing=("NoSuchEntity",), RoleName=name)
        if answer is None:
            return None
        role = answer["Role"]
        tags = list(self.aws.pages("iam", "list_role_tags", "Tags", RoleName=name))
        props: dict[str, Any] = {
            "assumeRolePolicy": _policy_text(role.get("AssumeRolePolicyDocument", "")),
            "tags": _tags(tags),
        }
        if role.get("MaxSessionDuration", 3600) != 3600 or "maxSessionDuration" in r["props"]:
            props["maxSessionDuration"] = role.get("MaxSessionDuration", 3600)
        if role.get("Description"):
            props["description"] = role["Description"]
        if role.get("Path", "/") != "/":
            props["path"] = role["Path"]
        if role.get("PermissionsBoundary"):
            props["permissionsBoundary"] = role["PermissionsBoundary"]["PermissionsBoundaryArn"]
        if r["props"].get("name"):
            props["name"] = name
        self._identify(r["urn"], name, arn=role["Arn"])
        return props

    def _role_name(self, r: dict) -> str | None:
        urn = r.get("references", {}).get("/role")
        return self.primary.get(urn) if urn else None

    def _inline_names(self, role: str) -> list[str]:
        cache = self.__dict__.setdefault("_inline", {})
        if role not in cache:
            cache[role] = list(self.aws.pages("iam", "list_role_policies", "PolicyNames",
                                              RoleName=role))
        return cache[role]

    def _role_policy(self, r: dict) -> dict | None:
        role = self._role_name(r)
        if not role:
            return None
        wanted = r["props"].get("name")
        names = [n for n in self._inline_names(role)
                 if (n == wanted if wanted else _autonamed(r["name"], n))]
        if not names:
            return None
        self.__dict__.setdefault("_matched_inline", set()).add((role, names[0]))
        return self._read_role_policy(role, names[0], bool(wanted))

    def _read_role_policy(self, role: str, name: str, named: bool) -> dict:
        answer = self.aws.call("iam", "get_role_policy", RoleName=role, PolicyName=name)
        props = {"policy": _policy_text(answer["PolicyDocument"]), "role": role}
        if named:
            props["name"] = name
        return props

    def _attached(self, role: str) -> list[str]:
        cache = self.__dict__.setdefault("_attachments", {})
        if role not in cache:
            cache[role] = [
                p["PolicyArn"]
                for p in self.aws.pages("iam", "list_attached_role_policies",
                                        "AttachedPolicies", RoleName=role)
            ]
        return cache[role]

    def _attachment(self, r: dict) -> dict | None:
        role = self._role_name(r)
        arn = r["props"].get("policyArn")
        if not role or arn not in self._attached(role):
            return None
        self.__dict__.setdefault("_matched_attachments", set()).add((role, arn))
        return {"policyArn": arn, "role": role}

    def _unplanned_policies(self) -> None:
        """Inline policies and attachments on the stack's roles that nobody planned."""
        stack_roles = {
            urn: self.primary[urn] for urn, res in self.live.items()
            if res["type"] == ROLE and urn in self.primary
        }
        matched = self.__dict__.get("_matched_inline", set())
        attached = self.__dict__.get("_matched_attachments", set())
        for urn, role in stack_roles.items():
            for name in self._inline_names(role):
                if (role, name) not in matched:
                    self._add_unplanned(ROLE_POLICY, f"{role}/{name}", urn,
                                        self._read_role_policy(role, name, True))
            for arn in self._attached(role):
                if (role, arn) not in attached:
                    self._add_unplanned(ATTACHMENT, f"{role}/{arn.rsplit('/', 1)[-1]}", urn,
                                        {"policyArn": arn, "role": role})
