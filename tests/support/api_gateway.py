"""API Gateway REST (v1 payload) Lambda proxy events, as AWS sends them to Zappa's handler."""

from __future__ import annotations

import base64
import uuid
from typing import Any

API_HOST = "abc123defg.execute-api.ap-east-1.amazonaws.com"
SOURCE_IP = "203.0.113.7"
"""The address API Gateway saw (``requestContext.identity.sourceIp``)."""


def api_event(
    method: str,
    path: str,
    *,
    stage: str = "dev",
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    base64_body: bool = False,
    request_id: str | None = None,
) -> dict[str, Any]:
    """An event for ``method path``; the body is base64-encoded when ``base64_body``."""
    all_headers = {
        "Accept": "application/json",
        "Accept-Language": "zh-CN,zh;q=0.9",
        "Host": API_HOST,
        "User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0",
        "X-Forwarded-For": f"{SOURCE_IP}, 130.176.0.1",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **(headers or {}),
    }
    if isinstance(body, bytes):
        text: str | None = (
            base64.b64encode(body).decode("ascii") if base64_body else body.decode("utf-8")
        )
    else:
        text = body
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "extendedRequestId": "Ab1CdEfGhIjKlMn=",
            "requestTime": "01/Jan/2026:12:00:00 +0000",
            "path": f"/{stage}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": "abc123defg",
            "requestTimeEpoch": 1767268800000,
            "requestId": request_id or str(uuid.uuid4()),
            "identity": {"sourceIp": SOURCE_IP, "userAgent": all_headers["User-Agent"]},
            "domainName": API_HOST,
            "apiId": "abc123defg",
        },
        "body": text,
        "isBase64Encoded": base64_body,
    }
