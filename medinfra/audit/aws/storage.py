"""KMS keys and aliases, S3 buckets and their settings, ECR, CloudWatch log groups."""

from __future__ import annotations

from typing import Any

from medinfra.audit.aws.common import (
    ALIAS,
    NOT_READABLE,
    NOT_REPORTED,
    _camel,
    _tags,
)


class StorageReads:
    """Reads of AwsReader: see the module docstring."""

    # -- KMS --------------------------------------------------------------------------------

    def _aliases(self) -> dict[str, str]:
        if not hasattr(self, "_alias_map"):
            self._alias_map = {
                a["AliasName"]: a.get("TargetKeyId", "")
                for a in self.aws.pages("kms", "list_aliases", "Aliases")
            }
        return self._alias_map

    def _key(self, r: dict) -> dict | None:
        alias = next(
            (a["props"].get("name") for a in self.planned["resources"]
             if a["type"] == ALIAS and a.get("references", {}).get("/targetKeyId") == r["urn"]),
            None,
        )
        key_id = self._aliases().get(alias) if alias else None
        if not key_id:
            return None
        return self._read_key(key_id, r)

    def _read_key(self, key_id: str, r: dict) -> dict | None:
        meta = self.aws.call("kms", "describe_key", missing=("NotFoundException",), KeyId=key_id)
        if meta is None:
            return None
        meta = meta["KeyMetadata"]
        props: dict[str, Any] = {
            "customerMasterKeySpec": meta.get("KeySpec", meta.get("CustomerMasterKeySpec")),
            "description": meta.get("Description", ""),
            "keyUsage": meta.get("KeyUsage"),
        }
        if meta.get("MultiRegion"):
            props["multiRegion"] = True
        if meta.get("KeyState") not in ("Enabled", None):
            props["isEnabled"] = False
        if meta.get("KeyState") == "PendingDeletion":
            props["deletionWindowInDays"] = meta.get("PendingDeletionWindowInDays", 0)
        rotation = self.aws.call("kms", "get_key_rotation_status", KeyId=key_id)
        props["enableKeyRotation"] = bool(rotation.get("KeyRotationEnabled"))
        if "RotationPeriodInDays" in rotation:
            props["rotationPeriodInDays"] = rotation["RotationPeriodInDays"]
        elif props["enableKeyRotation"]:
            self._carry(r, props, "rotationPeriodInDays", NOT_REPORTED)
        policy = self.aws.call("kms", "get_key_policy", KeyId=key_id, PolicyName="default")
        props["policy"] = policy["Policy"]
        tags = self.aws.call("kms", "list_resource_tags", KeyId=key_id)
        props["tags"] = _tags(tags.get("Tags"), "TagKey", "TagValue")
        self._carry(r, props, "deletionWindowInDays", NOT_READABLE)
        self._identify(r["urn"], meta["KeyId"], arn=meta["Arn"])
        return props

    def _alias(self, r: dict) -> dict | None:
        name = r["props"].get("name")
        target = self._aliases().get(name)
        if not target:
            return None
        self._identify(r["urn"], name, arn=f"arn:aws:kms:{self.aws.region}:{self.account}:{name}")
        return {"name": name, "targetKeyId": target}

    # -- S3 ---------------------------------------------------------------------------------

    def _bucket(self, r: dict) -> dict | None:
        return self._read_bucket(r["props"]["bucket"], r)

    def _read_bucket(self, name: str, r: dict) -> dict | None:
        found = self.aws.call("s3", "head_bucket", missing=("404", "NoSuchBucket"), Bucket=name)
        if found is None:
            return None
        tags = self.aws.call("s3", "get_bucket_tagging", missing=("NoSuchTagSet",), Bucket=name)
        lock = self.aws.call(
            "s3", "get_object_lock_configuration",
            missing=("ObjectLockConfigurationNotFoundError",), Bucket=name,
        )
        props: dict[str, Any] = {"bucket": name, "tags": _tags((tags or {}).get("TagSet"))}
        locked = (lock or {}).get("ObjectLockConfiguration", {}).get("ObjectLockEnabled")
        if locked == "Enabled" or "objectLockEnabled" in r["props"]:
            props["objectLockEnabled"] = locked == "Enabled"
        self._carry(r, props, "forceDestroy", NOT_READABLE)
        self._identify(r["urn"], name, arn=f"arn:aws:s3:::{name}")
        return props

    def _bucket_of(self, r: dict) -> str | None:
        """A bucket sub-resource's bucket, if that bucket was found."""
        name = r["props"].get("bucket")
        return name if name in self.ids else None

    def _versioning(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        if not bucket:
            return None
        answer = self.aws.call("s3", "get_bucket_versioning", Bucket=bucket)
        if not answer.get("Status"):
            return None
        config = {"status": answer["Status"]}
        if answer.get("MFADelete") == "Enabled":
            config["mfaDelete"] = "Enabled"
        return {"bucket": bucket, "versioningConfiguration": config}

    def _sse(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_bucket_encryption",
            missing=("ServerSideEncryptionConfigurationNotFoundError",), Bucket=bucket,
        )
        if not answer:
            return None
        rules = []
        for rule in answer["ServerSideEncryptionConfiguration"].get("Rules", []):
            default = rule.get("ApplyServerSideEncryptionByDefault", {})
            out: dict[str, Any] = {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": default.get("SSEAlgorithm")}
            }
            if default.get("KMSMasterKeyID"):
                out["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] = default[
                    "KMSMasterKeyID"
                ]
            if rule.get("BucketKeyEnabled"):
                out["bucketKeyEnabled"] = True
            rules.append(out)
        return {"bucket": bucket, "rules": rules}

    def _pab(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_public_access_block",
            missing=("NoSuchPublicAccessBlockConfiguration",), Bucket=bucket,
        )
        if not answer:
            return None
        config = answer["PublicAccessBlockConfiguration"]
        return {
            "blockPublicAcls": config.get("BlockPublicAcls", False),
            "blockPublicPolicy": config.get("BlockPublicPolicy", False),
            "bucket": bucket,
            "ignorePublicAcls": config.get("IgnorePublicAcls", False),
            "restrictPublicBuckets": config.get("RestrictPublicBuckets", False),
        }

    def _bucket_policy(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_bucket_policy", missing=("NoSuchBucketPolicy",), Bucket=bucket
        )
        return {"bucket": bucket, "policy": answer["Policy"]} if answer else None

    def _logging(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call("s3", "get_bucket_logging", Bucket=bucket)
        enabled = (answer or {}).get("LoggingEnabled")
        if not enabled:
            return None
        return {
            "bucket": bucket,
            "targetBucket": enabled.get("TargetBucket"),
            "targetPrefix": enabled.get("TargetPrefix", ""),
        }

    def _ownership(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_bucket_ownership_controls",
            missing=("OwnershipControlsNotFoundError",), Bucket=bucket,
        )
        if not answer:
            return None
        rules = answer["OwnershipControls"].get("Rules", [])
        return {"bucket": bucket, "rule": {"objectOwnership": rules[0]["ObjectOwnership"]}}

    def _lifecycle(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_bucket_lifecycle_configuration",
            missing=("NoSuchLifecycleConfiguration",), Bucket=bucket,
        )
        if not answer:
            return None
        return {"bucket": bucket, "rules": _camel(answer.get("Rules", []))}

    def _object_lock(self, r: dict) -> dict | None:
        bucket = self._bucket_of(r)
        answer = bucket and self.aws.call(
            "s3", "get_object_lock_configuration",
            missing=("ObjectLockConfigurationNotFoundError",), Bucket=bucket,
        )
        config = (answer or {}).get("ObjectLockConfiguration", {})
        if not config.get("Rule"):
            return None
        props = {"bucket": bucket, "rule": _camel(config["Rule"])}
        if "objectLockEnabled" in r["props"]:
            props["objectLockEnabled"] = config.get("ObjectLockEnabled")
        return props

    # -- ECR --------------------------------------------------------------------------------

    def _repository(self, r: dict) -> dict | None:
        return self._read_repository(r["props"]["name"], r)

    def _read_repository(self, name: str, r: dict) -> dict | None:
        answer = self.aws.call(
            "ecr", "describe_repositories",
            missing=("RepositoryNotFoundException",), repositoryNames=[name],
        )
        if not answer or not answer.get("repositories"):
            return None
        repo = answer["repositories"][0]
        encryption = repo.get("encryptionConfiguration", {"encryptionType": "AES256"})
        tags = self.aws.call("ecr", "list_tags_for_resource", resourceArn=repo["repositoryArn"])
        props = {
            "encryptionConfigurations": [
                {k: v for k, v in encryption.items() if k in ("encryptionType", "kmsKey")}
            ],
            "imageScanningConfiguration": {
                "scanOnPush": repo.get("imageScanningConfiguration", {}).get("scanOnPush", False)
            },
            "imageTagMutability": repo.get("imageTagMutability", "MUTABLE"),
            "name": name,
            "tags": _tags(tags.get("tags")),
        }
        self._carry(r, props, "forceDelete", NOT_READABLE)
        self._identify(r["urn"], name, repo.get("repositoryUri"), arn=repo["repositoryArn"])
        return props

    def _repository_policy(self, r: dict) -> dict | None:
        name = r["props"].get("repository")
        answer = name in self.ids and self.aws.call(
            "ecr", "get_repository_policy",
            missing=("RepositoryPolicyNotFoundException",), repositoryName=name,
        )
        return {"policy": answer["policyText"], "repository": name} if answer else None

    def _ecr_lifecycle(self, r: dict) -> dict | None:
        name = r["props"].get("repository")
        answer = name in self.ids and self.aws.call(
            "ecr", "get_lifecycle_policy",
            missing=("LifecyclePolicyNotFoundException",), repositoryName=name,
        )
        return {"policy": answer["lifecyclePolicyText"], "repository": name} if answer else None

    # -- CloudWatch Logs --------------------------------------------------------------------

    def _log_group(self, r: dict) -> dict | None:
        return self._read_log_group(r["props"]["name"], r)

    def _read_log_group(self, name: str, r: dict) -> dict | None:
        group = next(
            (g for g in self.aws.pages(
                "logs", "describe_log_groups", "logGroups", logGroupNamePrefix=name
            ) if g["logGroupName"] == name),
            None,
        )
        if group is None:
            return None
        arn = group.get("arn", "").removesuffix(":*")
        tags = self.aws.call("logs", "list_tags_log_group", logGroupName=name)
        props: dict[str, Any] = {"name": name, "tags": tags.get("tags", {})}
        if group.get("kmsKeyId"):
            props["kmsKeyId"] = group["kmsKeyId"]
        if group.get("retentionInDays"):
            props["retentionInDays"] = group["retentionInDays"]
        if group.get("logGroupClass", "STANDARD") != "STANDARD":
            props["logGroupClass"] = group["logGroupClass"]
        self._identify(r["urn"], name, group.get("arn"), arn=arn)
        return props
