"""``portal doctor``: a stage's configuration checked against moto, before and after fixing."""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from portal import ROOT
from portal.cli import doctor as doctor_cli
from portal.doctor import Finding, check
from portal.i18n import catalog
from portal.infra import names
from portal.store.deployment import Deployment, DeploymentUnreadable
from portal.store.tables import MAIN
from portal.uploads.bucket import EXPIRING
from tests.unit.ops.support import SITE_DOMAIN, deploy

REGION = "ap-east-1"
STAGES = json.loads((ROOT / "infra" / "zappa_settings.json").read_text(encoding="utf-8"))
KEY = "k" * 48
ORIGIN_SECRET = "o" * 48


@pytest.fixture
def aws(moto_aws: None) -> Iterator[None]:
    """The session's moto (tests/conftest.py), every backend reset after the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moto warns of every resource type it skips
        yield


def stages_for(site: str = f"https://{SITE_DOMAIN}", distribution: str = "E2EXAMPLE0DIST") -> dict[str, Any]:
    """zappa_settings.json with ``site`` and the stack's distribution filled in (deploy step 4)."""
    stages = copy.deepcopy(STAGES)
    for cfg in stages.values():
        cfg["environment_variables"]["PORTAL_SITE_URL"] = site
        if distribution:
            cfg["environment_variables"]["PORTAL_CLOUDFRONT_DISTRIBUTION"] = distribution
    return stages


def clients(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


class NoSandboxCall(Deployment):
    """moto does not implement SNS's SMS sandbox status: answer it here."""

    def __init__(self, in_sandbox: bool = True) -> None:
        super().__init__(clients)
        self.in_sandbox = in_sandbox

    def sms_sandbox(self) -> bool:
        return self.in_sandbox


def keys(findings: list[Finding], level: str) -> set[str]:
    return {f.key for f in findings if f.level == level}


def put_secrets(stage: str) -> None:
    ssm = clients("ssm")
    ssm.put_parameter(Name=f"/owner-portal/{stage}/phone-hash-key", Value=KEY, Type="SecureString")
    ssm.put_parameter(Name=f"/owner-portal/{stage}/origin-secret", Value=ORIGIN_SECRET,
                      Type="SecureString")  # fmt: skip


def finish_what_moto_skips(stage: str) -> None:
    """What CloudFormation does on AWS and moto does not: TTL, PITR, the uploads bucket's rules."""
    from portal.store.objects import Bucket

    ddb = clients("dynamodb")
    table = names.table_name(stage)
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "AttributeName": MAIN.ttl_attribute, "Enabled": True})  # fmt: skip
    ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})  # fmt: skip
    uploads = names.bucket_name(stage, "uploads")
    Bucket(clients("s3"), uploads).ensure(REGION, [f"https://{SITE_DOMAIN}"], expiring=EXPIRING)
    for role in names.BUCKET_ROLES:
        clients("s3").put_public_access_block(
            Bucket=names.bucket_name(stage, role),
            PublicAccessBlockConfiguration=dict.fromkeys(
                ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                 "RestrictPublicBuckets"), True))  # fmt: skip


def test_before_anything_exists_it_says_to_deploy_the_template_and_make_the_secrets(
    aws: None,
) -> None:
    found = check("prod", stages_for(distribution=""), NoSandboxCall(), clients)
    assert {"secret_unreadable", "table_missing", "bucket_missing",
            "distribution_missing"} <= keys(found, "fail")  # fmt: skip
    assert {"sms_sandbox", "function_missing"} <= keys(found, "warn")
    unreadable = next(f for f in found if f.key == "secret_unreadable")
    assert unreadable.params["ref"].startswith("ssm:/owner-portal/prod/")


def test_after_the_stack_it_names_what_is_left_and_then_passes(aws: None) -> None:
    deploy(clients("cloudformation"), "prod")
    put_secrets("prod")
    found = check("prod", stages_for(), NoSandboxCall(), clients)
    # moto's CloudFormation leaves these undone: the doctor sees each of them.
    assert {"ttl_off", "pitr_off", "cors_missing", "expiry_missing",
            "public_not_blocked"} <= keys(found, "fail")  # fmt: skip
    assert {"settings_accepted", "origin_secret_set", "secret_readable"} <= keys(found, "ok")
    finish_what_moto_skips("prod")
    found = check("prod", stages_for(), NoSandboxCall(in_sandbox=False), clients)
    assert keys(found, "fail") == set()
    assert keys(found, "warn") == {"function_missing"}
    assert {"ttl_on", "pitr_on", "cors_ok", "expiry_ok", "public_blocked", "sms_live",
            "table_status", "index_status"} <= keys(found, "ok")  # fmt: skip


def test_a_site_url_the_bucket_does_not_admit_and_a_plain_http_one(aws: None) -> None:
    deploy(clients("cloudformation"), "prod")
    put_secrets("prod")
    finish_what_moto_skips("prod")
    found = check("prod", stages_for("https://other.example.cn"), NoSandboxCall(), clients)
    assert "cors_missing" in keys(found, "fail")
    found = check("prod", stages_for("http://owner-portal.example.cn"), NoSandboxCall(), clients)
    assert {"site_url_not_https", "settings_refused"} <= keys(found, "fail")


def test_settings_problems_without_aws(aws: None) -> None:
    stages = stages_for()
    env = stages["prod"]["environment_variables"]
    env["PORTAL_PHONE_HASH_KEY"] = "written-in-the-file"
    del env["PORTAL_ORIGIN_SECRET_REF"]
    stages["prod"]["events"] = []
    stages["prod"]["s3_bucket"] = "Owner_Portal"
    stages["prod"]["manage_roles"] = True
    del stages["prod"]["lambda_handler"]
    env["PORTAL_SITE_BUCKET"] = "Site_Bucket"
    found = check("prod", stages, NoSandboxCall(), clients)
    assert {"secret_inline", "secret_missing_origin-secret", "events_stale",
            "bucket_name_invalid"} <= keys(found, "fail")  # fmt: skip
    invalid = {f.params["what"] for f in found if f.key == "bucket_name_invalid"}
    assert invalid == {"s3_bucket", "PORTAL_SITE_BUCKET"}
    assert {"roles_managed_by_zappa", "handler_setting"} <= keys(found, "warn")
    assert check("staging", stages, NoSandboxCall(), clients)[0].key == "stage_unknown"
    dev = check("dev", stages_for(), NoSandboxCall(), clients)
    assert "secret_missing_origin-secret" in keys(dev, "warn")  # optional in dev


def test_a_short_key_and_a_function_holding_a_secret(aws: None) -> None:
    deploy(clients("cloudformation"), "prod")
    clients("ssm").put_parameter(Name="/owner-portal/prod/phone-hash-key", Value="short",
                                 Type="SecureString")  # fmt: skip
    clients("ssm").put_parameter(Name="/owner-portal/prod/origin-secret", Value=ORIGIN_SECRET,
                                 Type="SecureString")  # fmt: skip

    class Deployed(NoSandboxCall):
        def function(self, name: str) -> Any:
            from portal.store.deployment import FunctionState

            return FunctionState(["PORTAL_PHONE_HASH_KEY", "PORTAL_STAGE"],
                                 "arn:aws:iam::1:role/someone-else",
                                 "handler.lambda_handler")  # deployed from `zappa package` alone

    found = check("prod", stages_for(), Deployed(), clients)
    assert {"secret_too_short", "function_holds_secret"} <= keys(found, "fail")
    assert {"function_role", "function_handler"} <= keys(found, "warn")


def test_what_cannot_be_asked_is_a_warning_not_a_crash(aws: None) -> None:
    class Denied(NoSandboxCall):
        def table(self, name: str) -> Any:
            raise DeploymentUnreadable(name, "AccessDeniedException")

    found = check("prod", stages_for(), Denied(), clients)
    denied = [f for f in found if f.key == "unreadable"]
    assert denied and denied[0].params["reason"] == "AccessDeniedException"


def test_every_finding_has_both_languages() -> None:
    import re

    source = (ROOT / "portal" / "doctor.py").read_text(encoding="utf-8")
    used = set(re.findall(r'_f\("(?:ok|warn|fail)", "([a-z_]+)', source))
    used |= {"secret_missing_phone-hash-key", "secret_missing_origin-secret", "header", "summary"}
    for lang in ("zh-CN", "en"):
        missing = {k for k in used if f"ops.doctor.{k}" not in catalog(lang)}
        assert missing == set(), lang


def test_the_command_prints_zh_then_en_and_exits_1_on_a_failure(
    aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "zappa_settings.json"
    settings.write_text(json.dumps(stages_for()), encoding="utf-8")
    monkeypatch.setattr("portal.store.deployment.Deployment.sms_sandbox", lambda self: False)
    result = CliRunner().invoke(doctor_cli.doctor, ["--stage", "prod", "--settings",
                                                    str(settings), "--region", REGION])  # fmt: skip
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("检查 prod") and lines[1].startswith("Checking")
    assert any(line.startswith("✗ 数据表") for line in lines)
    assert "Deploy the CloudFormation template first" in result.output
