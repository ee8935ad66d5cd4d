"""Deploying the template to moto's CloudFormation: what moto can create, and what it cannot."""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation.parsing import resource_class_from_type

from portal.infra.template import build

NOT_IN_MOTO = frozenset({
    "AWS::S3::BucketPolicy",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::CloudFrontOriginAccessIdentity",
    "AWS::CloudFront::Function",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::OriginRequestPolicy",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudFront::Distribution",
    "AWS::CloudWatch::Alarm",
    "AWS::SNS::Subscription",
})
"""Resource types moto 5.2's CloudFormation does not create (docs/DEPLOY.md lists them);
the template tests check those resources as data instead."""

SITE_DOMAIN = "dev.owner-portal.example.cn"


def moto_template(china: bool = False) -> tuple[dict[str, Any], set[str]]:
    """The template less the resources moto cannot create (and outputs that name them)."""
    template = build(china=china)
    dropped = {k for k, r in template["Resources"].items() if not resource_class_from_type(r["Type"])}

    def names_dropped(node: Any) -> bool:
        text = json.dumps(node)
        return any(f'"{k}"' in text or f"${{{k}" in text for k in dropped)

    template["Resources"] = {k: _without(r, dropped) for k, r in template["Resources"].items()
                             if k not in dropped}  # fmt: skip
    template["Outputs"] = {k: o for k, o in template["Outputs"].items() if not names_dropped(o)}
    return template, {build(china=china)["Resources"][k]["Type"] for k in dropped}


def _without(resource: dict[str, Any], dropped: set[str]) -> dict[str, Any]:
    """``resource`` with the ``${X}`` of a dropped ``X`` inside its ``Fn::Sub`` strings made a
    plain name (the role's invalidation right names the distribution, which moto cannot make)."""
    text = json.dumps(resource)
    for name in dropped:
        text = text.replace(f"${{{name}}}", f"{name}-not-in-moto")
    result: dict[str, Any] = json.loads(text)
    return result


def deploy(cloudformation: Any, stage: str, *, china: bool = False) -> dict[str, str]:
    """Create the stack ``owner-portal-<stage>``; its outputs."""
    template, _ = moto_template(china)
    params = {"Stage": stage, "SiteDomainName": SITE_DOMAIN,
              "AcmCertificateArn": "" if china else "arn:aws:acm:us-east-1:1:certificate/x",
              "IamCertificateId": "ASCAEXAMPLE" if china else "",
              "ApiDomainName": "abc123.execute-api.ap-east-1.amazonaws.com",
              "OriginSecret": "o" * 40}  # fmt: skip
    name = f"owner-portal-{stage}"
    cloudformation.create_stack(
        StackName=name, TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )  # fmt: skip
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
