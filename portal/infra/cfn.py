"""CloudFormation intrinsic functions as plain data (long form, so YAML and JSON both read them)."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

NO_VALUE: Json = {"Ref": "AWS::NoValue"}


def ref(name: str) -> Json:
    return {"Ref": name}


def sub(text: str) -> Json:
    return {"Fn::Sub": text}


def get_att(resource: str, attribute: str) -> Json:
    return {"Fn::GetAtt": [resource, attribute]}


def if_(condition: str, then: Any, otherwise: Any = NO_VALUE) -> Json:
    return {"Fn::If": [condition, then, otherwise]}


def equals(a: Any, b: Any) -> Json:
    return {"Fn::Equals": [a, b]}


def not_(condition: Json) -> Json:
    return {"Fn::Not": [condition]}


def arn(service: str, resource: str, *, region: bool = True, account: bool = True) -> Json:
    """``arn:${AWS::Partition}:<service>:<region>:<account>:<resource>`` (``resource`` may use
    ``${...}``): every ARN carries the partition, so the template deploys to AWS China too."""
    r = "${AWS::Region}" if region else ""
    a = "${AWS::AccountId}" if account else ""
    return sub(f"arn:${{AWS::Partition}}:{service}:{r}:{a}:{resource}")


def retained(resource: Json) -> Json:
    """A resource that outlives its stack and any replacement (data: the table, the buckets)."""
    return {**resource, "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
