"""The Inventory helpers shared by the offline planner and the CrossGuard analyzer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from medinfra.policies.inventory import (
    SECRET_MARK,
    UNKNOWN,
    UNKNOWN_MARK,
    Secret,
    package_of,
    pointer,
    redact,
    resolve_references,
)

KEY = "urn:pulumi:s::p::aws:kms/key:Key::k"
LOG = "urn:pulumi:s::p::aws:kms/key:Key::log"


def test_pointer_escapes_slashes_and_tildes():
    assert pointer(["tags", "a/b", "c~d", 0]) == "/tags/a~1b/c~0d/0"


def test_redact_replaces_secrets_and_unknowns_and_reports_their_paths():
    value = {"b": Secret({"deep": "x"}), "a": [1.0, UNKNOWN], "c": {"d": Secret("s")}}
    props, secrets, unknowns = redact(value)
    assert props == {"a": [1, UNKNOWN_MARK], "b": SECRET_MARK, "c": {"d": SECRET_MARK}}
    assert secrets == ["/b", "/c/d"]
    assert unknowns == ["/a/1"]
    assert list(props) == ["a", "b", "c"]


def test_secret_repr_never_shows_the_value():
    assert "hunter2" not in repr(Secret("hunter2"))


def test_reference_is_the_leaf_that_holds_the_dependency_identifier():
    props = {"rules": [{"sse": {"kmsKeyId": "arn:key"}, "algo": "aws:kms"}]}
    refs = resolve_references(props, [], {"rules": [KEY]}, {"arn:key": KEY})
    assert refs == {"/rules/0/sse/kmsKeyId": KEY}


def test_identifier_from_a_resource_that_is_not_a_dependency_is_not_a_reference():
    refs = resolve_references({"kmsKeyId": "arn:key"}, [], {}, {"arn:key": KEY})
    assert refs == {}


def test_unknown_leaf_with_a_single_dependency_points_at_it():
    props = {"encryption": {"key": UNKNOWN_MARK, "on": True}}
    refs = resolve_references(props, ["/encryption/key"], {"encryption": [KEY]}, {})
    assert refs == {"/encryption/key": KEY}


def test_unknown_leaf_with_several_dependencies_is_not_guessed():
    props = {"encryption": {"key": UNKNOWN_MARK}}
    refs = resolve_references(props, ["/encryption/key"], {"encryption": [KEY, LOG]}, {})
    assert refs == {}


def test_transformed_value_is_attributed_to_the_whole_property():
    refs = resolve_references({"policy": '{"x": 1}'}, [], {"policy": [KEY]}, {})
    assert refs == {"/policy": KEY}


def test_package_of_type_tokens():
    assert package_of("aws:s3/bucket:Bucket") == "aws"
    assert package_of("azure-native:storage:StorageAccount") == "azure-native"
    assert package_of("pulumi:providers:kubernetes") == "kubernetes"


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=12,
)


@given(_json)
def test_redact_is_identity_on_plain_json(value):
    props, secrets, unknowns = redact(value)
    assert (secrets, unknowns) == ([], [])
    assert redact(props)[0] == props


def test_image_by_digest_points_at_the_repository_it_names():
    repo = "urn:pulumi:s::p::aws:ecr/repository:Repository::r"
    url = "1.dkr.ecr.us-east-1.amazonaws.com/p/models"
    props = {"spec": {"image": f"{url}@sha256:{'a' * 64}", "other": f"{url}:latest"}}
    refs = resolve_references(props, [], {"spec": [repo, KEY]}, {url: repo})
    assert refs == {"/spec/image": repo}  # a mutable tag is not an image by digest
