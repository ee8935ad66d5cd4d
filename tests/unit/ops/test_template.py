"""The CloudFormation template: generated from the code, checked in, and saying what the code
and zappa_settings.json assume (table, bucket rules, headers, names, partitions)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from functions import edge
from portal import ROOT
from portal.infra import cdn, names
from portal.infra.storage import cfn_cors, cfn_lifecycle
from portal.infra.template import TEMPLATES, build, render
from portal.settings import Settings
from portal.store.client import s3_client
from portal.store.objects import cors_rules, lifecycle_rules
from portal.store.tables import MAIN
from portal.uploads.bucket import EXPIRING, bucket_origin

ZAPPA = json.loads((ROOT / "infra" / "zappa_settings.json").read_text(encoding="utf-8"))
BUCKET_NAME = re.compile(r"^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


@pytest.mark.parametrize(("name", "china"), TEMPLATES.items())
def test_the_checked_in_template_is_what_the_code_generates(name: str, china: bool) -> None:
    checked_in = (ROOT / "infra" / name).read_text(encoding="utf-8")
    assert checked_in == render(build(china=china)), (
        f"infra/{name} is stale: run `.venv/bin/portal infra template --write`"
    )


def _text(template: dict[str, Any]) -> str:
    return json.dumps(template)


@pytest.mark.parametrize("china", [False, True])
def test_every_arn_names_its_partition(china: bool) -> None:
    text = _text(build(china=china))
    assert "arn:aws:" not in text and "arn:aws-cn:" not in text
    assert text.count("arn:${AWS::Partition}:") >= 6


def test_the_table_is_the_one_definition_kept_and_recoverable() -> None:
    table = build()["Resources"]["Table"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert props["KeySchema"] == MAIN.create_table_kwargs("x")["KeySchema"]
    assert [g["IndexName"] for g in props["GlobalSecondaryIndexes"]] == ["gsi1", "gsi2", "gsi3"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST" and props["DeletionProtectionEnabled"]


def test_the_uploads_bucket_says_what_portal_uploads_bucket_says() -> None:
    resources = build()["Resources"]
    bucket = resources["UploadsBucket"]
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == "Retain"
    assert props["LifecycleConfiguration"]["Rules"] == cfn_lifecycle(lifecycle_rules(EXPIRING))
    assert props["LifecycleConfiguration"]["Rules"][0]["Prefix"] == "uploads/"
    cors = props["CorsConfiguration"]["CorsRules"]
    assert cors == cfn_cors(cors_rules(["https://${SiteDomainName}"]))
    assert cors[0]["AllowedOrigins"] == [{"Fn::Sub": "https://${SiteDomainName}"}]
    assert sorted(cors[0]["AllowedMethods"]) == ["GET", "POST"]  # presigned POST and GETs only
    for name in ("SiteBucket", "UploadsBucket", "ZappaBucket"):
        block = resources[name]["Properties"]["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4


@pytest.mark.parametrize("china", [False, True])
def test_the_role_publishes_to_the_site_bucket_and_invalidates_only_the_stacks_distribution(
    china: bool,
) -> None:
    resources = build(china=china)["Resources"]
    role = resources["LambdaExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    by_sid = {s["Sid"]: s for s in role["Statement"]}
    assert by_sid["SiteObjects"]["Resource"] == {"Fn::Sub": "${SiteBucket.Arn}/*"}
    assert "s3:PutObject" in by_sid["SiteObjects"]["Action"]
    assert by_sid["SiteList"]["Action"] == ["s3:ListBucket"]
    assert by_sid["SiteInvalidations"]["Action"] == ["cloudfront:CreateInvalidation"]
    assert by_sid["SiteInvalidations"]["Resource"] == {"Fn::Sub": (
        "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}")}
    policy = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    deny = next(s for s in policy if s["Sid"] == "StateStaysPrivate")
    reads = next(s for s in policy if s["Sid"] == "CloudFrontReads")
    assert deny["Effect"] == "Deny" and deny["Principal"] == reads["Principal"]
    assert deny["Resource"] == {"Fn::Sub": "${SiteBucket.Arn}/.portal/*"}


def test_the_api_behaviour_sends_the_origin_secret_and_forwards_the_viewer_address() -> None:
    config = build()["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    api = config["Origins"][1]["Fn::If"][1]
    assert api["OriginCustomHeaders"] == [{"HeaderName": edge.ORIGIN_SECRET_HEADER,
                                           "HeaderValue": {"Ref": "OriginSecret"}}]  # fmt: skip
    assert build()["Parameters"]["OriginSecret"]["NoEcho"] is True
    behaviour = config["CacheBehaviors"]["Fn::If"][1][0]
    assert behaviour["PathPattern"] == "/api/*" and behaviour["TargetOriginId"] == "api"
    policy = build()["Resources"]["ApiOriginRequestPolicy"]["Properties"]
    headers = policy["OriginRequestPolicyConfig"]["HeadersConfig"]
    assert edge.VIEWER_ADDRESS_HEADER in headers["Headers"] and "Host" not in headers["Headers"]
    assert cdn.VIEWER_ADDRESS_HEADER == edge.VIEWER_ADDRESS_HEADER
    assert len(headers["Headers"]) <= 10  # CloudFront's default quota per policy
    cache = build()["Resources"]["ApiCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert cache["DefaultTTL"] == cache["MaxTTL"] == 0


def test_the_site_is_read_through_origin_access_control_or_identity() -> None:
    aws = build()["Resources"]
    assert aws["Distribution"]["Properties"]["DistributionConfig"]["Origins"][0][
        "OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    china = build(china=True)["Resources"]
    assert "SiteOriginAccessControl" not in china and "IndexFunction" not in china
    assert "SiteOriginAccessIdentity" in china


def test_the_csp_admits_the_uploads_bucket_where_presigned_urls_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = build()["Resources"]["SecurityHeadersPolicy"]["Properties"][
        "ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    origin = "https://${BucketPrefix}-${Stage}-uploads.s3.${AWS::Region}.${AWS::URLSuffix}"
    for directive in ("img-src", "connect-src"):
        assert re.search(rf"{directive} [^;]*{re.escape(origin)}", csp)
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert headers["ContentTypeOptions"]["Override"] and headers["ReferrerPolicy"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    for region, suffix in (("ap-east-1", "amazonaws.com"), ("cn-north-1", "amazonaws.com.cn"),
                           ("us-east-1", "amazonaws.com")):  # fmt: skip
        client = s3_client(Settings(stage="dev", aws_region=region))
        expected = bucket_origin("owner-portal-dev-uploads", region)
        assert expected == f"https://owner-portal-dev-uploads.s3.{region}.{suffix}"
        form = client.generate_presigned_post("owner-portal-dev-uploads", "uploads/x.jpg")
        assert form["url"].rstrip("/") == expected
        url = client.generate_presigned_url(
            "get_object", Params={"Bucket": "owner-portal-dev-uploads", "Key": "verified/x"})
        assert url.startswith(expected + "/")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_zappa_settings_name_what_the_template_makes_and_hold_no_secret(stage: str) -> None:
    cfg = ZAPPA[stage]
    env = cfg["environment_variables"]
    assert BUCKET_NAME.match(cfg["s3_bucket"]) and cfg["s3_bucket"] == names.bucket_name(
        stage, "zappa")
    assert env["PORTAL_UPLOADS_BUCKET"] == names.bucket_name(stage, "uploads")
    assert BUCKET_NAME.match(env["PORTAL_UPLOADS_BUCKET"])
    assert env["PORTAL_SITE_BUCKET"] == names.bucket_name(stage, "site")
    assert env["PORTAL_TABLE_PREFIX"] == names.table_prefix(stage)
    assert cfg["manage_roles"] is False and cfg["project_name"] == names.PROJECT
    assert env["PORTAL_SITE_URL"].startswith("https://")
    for secret in names.SECRETS:
        assert secret.setting not in env, "a secret's value in zappa_settings.json"
        if stage in secret.required_in:
            assert env[f"{secret.setting}_REF"] == names.secret_reference(stage, secret)
    role = build()["Resources"]["LambdaExecutionRole"]["Properties"]["RoleName"]["Fn::Sub"]
    assert role.replace("${ProjectName}", names.PROJECT).replace("${Stage}", stage) == (
        names.role_name(stage))


def test_the_checked_in_files_hold_nothing_that_looks_like_a_secret() -> None:
    for path in [ROOT / "infra" / n for n in TEMPLATES] + [ROOT / "infra" / "zappa_settings.json"]:
        # A CSP hash source is the public digest of a public stylesheet, not a secret.
        text = re.sub(r"'sha256-[A-Za-z0-9+/]{43}='", "", path.read_text(encoding="utf-8"))
        for token in re.findall(r"[A-Za-z0-9+/=_-]{32,}", text):  # a key, a token, a secret
            mixed = [any(map(str.isdigit, token)), any(map(str.islower, token)),
                     any(map(str.isupper, token))]  # fmt: skip
            assert not all(mixed), f"{path.name}: {token[:6]}..."
