"""boto3 clients, configured once: standard retry mode and explicit timeouts.

The legacy retry mode makes 10 attempts with ~25 s of backoff on throttling,
longer than API Gateway's 29 s limit; standard mode with 3 attempts and short
timeouts fails fast and lets the caller answer with a clear error.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from portal.settings import Settings


def botocore_config(settings: Settings) -> Config:
    return Config(
        region_name=settings.aws_region,
        retries={"mode": "standard", "total_max_attempts": settings.max_attempts},
        connect_timeout=settings.connect_timeout_s,
        read_timeout=settings.read_timeout_s,
    )


def _session(settings: Settings) -> boto3.session.Session:
    if settings.dynamodb_endpoint and settings.is_local:
        # DynamoDB Local accepts any credentials; never let a developer's real ones leak there.
        return boto3.session.Session(
            aws_access_key_id="local",
            aws_secret_access_key="local",
            region_name=settings.aws_region,
        )
    return boto3.session.Session(region_name=settings.aws_region)


def dynamodb_client(settings: Settings) -> Any:
    return _session(settings).client(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint, config=botocore_config(settings)
    )


def dynamodb_resource(settings: Settings) -> Any:
    return _session(settings).resource(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint, config=botocore_config(settings)
    )
