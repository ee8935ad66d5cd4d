"""The Lambda function's execution role: what the portal does, and nothing else.

Zappa looks the role up by name (``manage_roles: false`` in zappa_settings.json), so
Zappa's own broad default policy is never attached. API Gateway assumes the same role
to invoke the function (Zappa's integrations carry it as credentials).

================================  ==================================================
permission                        why
================================  ==================================================
logs on its own log group         CloudWatch Logs
DynamoDB items and queries        the table and its indexes (no scans, no table admin)
S3 objects of the uploads bucket  presigned POST/GET are signed with this role; verify
                                  reads, copies to ``verified/`` and deletes; listing
                                  makes a missing object a 404
S3 objects of the site bucket     a publish uploads the changed pages and deletes the
                                  gone ones, and keeps its state (``.portal/``); listing
                                  (the first publish compares with what is there)
``cloudfront:CreateInvalidation``  the changed pages, on the stack's distribution only
``lambda:InvokeFunction`` itself  tasks are dispatched by an asynchronous invoke
``sns:Publish``                   SMS to a phone number (no topic ARN to scope it to)
SSM parameters / Secrets Manager  the secrets, by name, under ``/owner-portal/<stage>/``
================================  ==================================================
"""

from __future__ import annotations

from portal.infra.cfn import Json, arn, get_att, sub

_TABLE_ACTIONS = [
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
    "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
]  # fmt: skip


def _statement(sid: str, actions: list[str], resources: list[Json] | Json | str) -> Json:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}


def execution_role() -> Json:
    function = "function:${ProjectName}-${Stage}"
    statements = [
        _statement("Logs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                   [arn("logs", "log-group:/aws/lambda/${ProjectName}-${Stage}"),
                    arn("logs", "log-group:/aws/lambda/${ProjectName}-${Stage}:*")]),
        _statement("Table", _TABLE_ACTIONS,
                   [get_att("Table", "Arn"), sub("${Table.Arn}/index/*")]),
        _statement("UploadObjects", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                   sub("${UploadsBucket.Arn}/*")),
        _statement("UploadsList", ["s3:ListBucket"], get_att("UploadsBucket", "Arn")),
        _statement("SiteObjects", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                   sub("${SiteBucket.Arn}/*")),
        _statement("SiteList", ["s3:ListBucket"], get_att("SiteBucket", "Arn")),
        _statement("SiteInvalidations", ["cloudfront:CreateInvalidation"],
                   arn("cloudfront", "distribution/${Distribution}", region=False)),
        _statement("InvokeItself", ["lambda:InvokeFunction"],
                   [arn("lambda", function), arn("lambda", f"{function}:*")]),
        _statement("Sms", ["sns:Publish"], "*"),
        _statement("SecretParameters", ["ssm:GetParameters", "ssm:GetParameter"],
                   arn("ssm", "parameter/${ProjectName}/${Stage}/*")),
        _statement("SecretsManager", ["secretsmanager:GetSecretValue"],
                   arn("secretsmanager", "secret:${ProjectName}/${Stage}/*")),
    ]  # fmt: skip
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": sub("${ProjectName}-${Stage}-ZappaLambdaExecutionRole"),
            "Description": "The owner portal's Lambda function (Zappa) and its API Gateway",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "apigateway.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }]},
            "Policies": [{"PolicyName": "owner-portal",
                          "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
        },
    }  # fmt: skip


def resources() -> dict[str, Json]:
    return {"LambdaExecutionRole": execution_role()}
