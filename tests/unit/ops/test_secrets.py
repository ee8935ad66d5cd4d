"""Secrets by reference: ``PORTAL_X_REF`` names where the value lives (SSM, Secrets Manager)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from portal.settings import ConfigurationError, Settings
from portal.store.secrets import SecretUnavailable, parse, references

KEY = "k" * 40
ORIGIN = "o" * 48
BASE = {"PORTAL_STAGE": "prod", "PORTAL_SITE_URL": "https://owner-portal.example.cn",
        "AWS_REGION": "ap-east-1"}  # fmt: skip


@pytest.fixture
def aws(moto_aws: None) -> Iterator[None]:
    """The session's moto (tests/conftest.py) with the two secrets; reset after the test."""
    ssm = boto3.client("ssm", region_name="ap-east-1")
    ssm.put_parameter(Name="/owner-portal/prod/phone-hash-key", Value=KEY, Type="SecureString")
    boto3.client("secretsmanager", region_name="ap-east-1").create_secret(
        Name="owner-portal/prod/origin-secret", SecretString=ORIGIN)
    yield


def test_settings_read_secrets_by_reference_from_both_stores(aws: None) -> None:
    settings = Settings.from_env({
        **BASE,
        "PORTAL_PHONE_HASH_KEY_REF": "ssm:/owner-portal/prod/phone-hash-key",
        "PORTAL_ORIGIN_SECRET_REF": "secretsmanager:owner-portal/prod/origin-secret",
    })  # fmt: skip
    assert settings.phone_hash_key == KEY.encode()
    assert settings.origin_secrets == (ORIGIN,)


def test_a_value_set_directly_wins_over_its_reference(aws: None) -> None:
    settings = Settings.from_env({**BASE, "PORTAL_PHONE_HASH_KEY": "d" * 40,
                                  "PORTAL_PHONE_HASH_KEY_REF": "ssm:/nowhere",
                                  "PORTAL_ORIGIN_SECRET": ORIGIN})  # fmt: skip
    assert settings.phone_hash_key == b"d" * 40


@pytest.mark.parametrize("reference", [
    "ssm:/owner-portal/prod/missing", "secretsmanager:owner-portal/prod/missing", "vault:x", "ssm:",
])  # fmt: skip
def test_a_reference_that_cannot_be_read_refuses_the_start_without_a_value(
    aws: None, reference: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({**BASE, "PORTAL_ORIGIN_SECRET": ORIGIN,
                           "PORTAL_PHONE_HASH_KEY_REF": reference})  # fmt: skip
    assert "PORTAL_PHONE_HASH_KEY_REF" in str(refused.value) and KEY not in str(refused.value)


def test_references_and_their_syntax() -> None:
    env = {"PORTAL_A_REF": "ssm:/a", "PORTAL_B_REF": "ssm:/b", "PORTAL_B": "set", "OTHER_REF": "x",
           "PORTAL_C_REF": ""}  # fmt: skip
    assert references(env) == {"PORTAL_A": "ssm:/a"}
    assert parse("X", "secretsmanager:a/b") == ("secretsmanager", "a/b")
    with pytest.raises(SecretUnavailable):
        parse("X", "/a/b")


def test_no_reference_no_aws_call() -> None:
    assert Settings.from_env({"PORTAL_STAGE": "test"}).stage == "test"  # no moto, no network
