"""The template, deployed to moto's CloudFormation: what moto creates is what the code expects.

moto 5.2 creates the table (keys, indexes, deletion protection), the buckets (names,
encryption), the IAM role with its policy, and the SNS topic. It does not apply a
table's TTL or point-in-time recovery, nor a bucket's CORS, lifecycle or public access
block, and it does not create CloudFront, bucket policies or alarms
(:data:`support.NOT_IN_MOTO`): ``test_template.py`` checks those as data, and
``portal doctor`` checks them on the real account.
"""

from __future__ import annotations

import ast
import json
import warnings
from collections.abc import Iterator

import boto3
import pytest

from portal.infra import names
from portal.store.tables import MAIN
from tests.unit.ops.support import NOT_IN_MOTO, deploy, moto_template

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture
def aws(moto_aws: None) -> Iterator[None]:
    """The session's moto (tests/conftest.py), every backend reset after the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moto warns of every resource type it skips
        yield


def test_moto_skips_only_the_resource_types_the_docs_list() -> None:
    for china in (False, True):
        _, dropped = moto_template(china)
        assert dropped <= NOT_IN_MOTO


def test_the_stack_makes_the_table_with_its_keys_and_indexes(aws: None) -> None:
    out = deploy(boto3.client("cloudformation", region_name="ap-east-1"), "dev")
    assert out["TableName"] == names.table_name("dev") == "portal-dev-main"
    table = boto3.client("dynamodb", region_name="ap-east-1").describe_table(
        TableName=out["TableName"])["Table"]
    expected = MAIN.create_table_kwargs(out["TableName"])
    assert table["KeySchema"] == expected["KeySchema"]
    assert {g["IndexName"]: g["KeySchema"] for g in table["GlobalSecondaryIndexes"]} == {
        g["IndexName"]: g["KeySchema"] for g in expected["GlobalSecondaryIndexes"]}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionProtectionEnabled"] is True
    # moto leaves TTL off whatever the template says: the template test checks the property.
    template, _ = moto_template()
    ttl = template["Resources"]["Table"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": MAIN.ttl_attribute, "Enabled": True}


def test_the_stack_makes_the_buckets_zappa_settings_name(aws: None) -> None:
    out = deploy(boto3.client("cloudformation", region_name="ap-east-1"), "prod")
    s3 = boto3.client("s3", region_name="ap-east-1")
    made = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert made == {names.bucket_name("prod", r) for r in names.BUCKET_ROLES}
    assert out["UploadsBucketName"] == names.bucket_name("prod", "uploads")
    assert out["ZappaBucketName"] == names.bucket_name("prod", "zappa")
    assert out["SiteUrl"] == "https://dev.owner-portal.example.cn"
    for bucket in made:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


@pytest.mark.parametrize(("region", "partition", "china"), [
    ("ap-east-1", "aws", False), ("cn-north-1", "aws-cn", True),
])  # fmt: skip
def test_the_role_is_scoped_to_this_stage_in_the_regions_partition(
    aws: None, region: str, partition: str, china: bool
) -> None:
    out = deploy(boto3.client("cloudformation", region_name=region), "dev", china=china)
    iam = boto3.client("iam", region_name=region)
    role = iam.get_role(RoleName=out["LambdaRoleName"])["Role"]
    assert role["RoleName"] == names.role_name("dev")
    policy = iam.get_role_policy(RoleName=role["RoleName"], PolicyName="owner-portal")
    document = policy["PolicyDocument"]
    if isinstance(document, str):  # moto keeps a CloudFormation-made policy as Python's repr
        document = ast.literal_eval(document)
    text = json.dumps(document)
    resources = [r for s in document["Statement"]
                 for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
    arns = [r for r in resources if r != "*"]
    # moto resolves ${AWS::Partition} to "aws" in every region, but its own ARNs (GetAtt) in
    # cn-north-1 are aws-cn: there, only "the template's own ARNs carry the pseudo-parameter"
    # holds (test_template.py), so the check here is of the ARNs moto makes.
    made = [r for r in arns if ":s3:::" in r or ":table/" in r]
    assert made and all(r.startswith(f"arn:{partition}:") for r in made), made
    if partition == "aws":
        assert all(r.startswith("arn:aws:") for r in arns), arns
    assert f":table/{names.table_name('dev')}" in text
    assert "parameter/owner-portal/dev/*" in text and "owner-portal-dev-uploads/*" in text
    assert "owner-portal-dev-site/*" in text and "cloudfront:CreateInvalidation" in text
    assert "dynamodb:Scan" not in text and "dynamodb:*" not in text and "s3:*" not in text
    trust = json.dumps(role["AssumeRolePolicyDocument"])
    assert "lambda.amazonaws.com" in trust and "apigateway.amazonaws.com" in trust


def test_the_alarm_topic_exists(aws: None) -> None:
    out = deploy(boto3.client("cloudformation", region_name="ap-east-1"), "dev")
    topics = boto3.client("sns", region_name="ap-east-1").list_topics()["Topics"]
    assert out["AlarmTopicArn"] in [t["TopicArn"] for t in topics]


