"""API Gateway REST (v1 payload) Lambda proxy events, as AWS sends them to Zappa's handler."""

from __future__ import annotations

import base64
import uuid
from typing import Any

API_HOST = "abc123defg.execute-api.ap-east-1.amazonaws.com"
SOURCE_IP = "203.0.113.7"
"""The address API Gateway saw (``requestContext.identity.sourceIp``)."""
EDGE_IP = "130.176.0.1"
"""A CloudFront edge: what API Gateway sees when CloudFront forwards a request."""
VIEWER_IP = "198.51.100.23"
"""The viewer (an owner's phone) behind CloudFront."""


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
    source_ip: str = SOURCE_IP,
) -> dict[str, Any]:
    """An event for ``method path``; the body is base64-encoded when ``base64_body``."""
    all_headers = {
        "Accept": "application/json",
        "Accept-Language": "zh-CN,zh;q=0.9",
        "Host": API_HOST,
        "User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0",
        "X-Forwarded-For": f"{source_ip}, 130.176.0.1",
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
            "identity": {"sourceIp": source_ip, "userAgent": all_headers["User-Agent"]},
            "domainName": API_HOST,
            "apiId": "abc123defg",
        },
        "body": text,
        "isBase64Encoded": base64_body,
    }


def with_headers(event: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """``event`` with ``headers`` added (or replaced), in both of the event's header maps."""
    all_headers = {**event["headers"], **headers}
    return {**event, "headers": all_headers,
            "multiValueHeaders": {k: [v] for k, v in all_headers.items()}}  # fmt: skip


def through_cloudfront(
    method: str,
    path: str,
    *,
    origin_secret: str | None,
    viewer_address: str | None = f"{VIEWER_IP}:50123",
    **kwargs: Any,
) -> dict[str, Any]:
    """An event as API Gateway passes it on when CloudFront forwarded the request.

    CloudFront adds its origin custom header (``origin_secret``; none when None), the
    viewer's ``ip:port`` (when the origin request policy includes it; none when None),
    ``Via`` and ``X-Amz-Cf-Id``, and appends the viewer to ``X-Forwarded-For``;
    API Gateway sees the edge's address.
    """
    event = api_event(method, path, source_ip=EDGE_IP, **kwargs)
    added = {
        "Via": "2.0 1a2b3c4d5e6f.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "Qm9ndXMtaWQtZm9yLXRlc3RzLW9ubHk=",
        "X-Forwarded-For": f"{VIEWER_IP}, {EDGE_IP}",
    }
    if origin_secret is not None:
        added["X-Portal-Origin-Secret"] = origin_secret
    if viewer_address is not None:
        added["CloudFront-Viewer-Address"] = viewer_address
    return with_headers(event, added)
