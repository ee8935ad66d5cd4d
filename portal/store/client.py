"""The AWS clients (DynamoDB, S3, SNS), configured once, in one place.

Standard retry mode and explicit timeouts: the legacy mode makes 10 attempts
with ~25 s of backoff on throttling, longer than API Gateway's 29 s limit;
standard mode with 3 attempts and short timeouts fails fast and lets the
caller answer with a clear error.

The local guard: when a client talks to a local endpoint (DynamoDB Local, the
S3 stand-in) it is given throw-away credentials, so a developer's real AWS
credentials are never sent to a process on loopback that accepts anything.
Outside the local and test stages the default credential chain is used.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from portal.settings import Settings

LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback_endpoint(endpoint: str | None) -> bool:
    """Whether ``endpoint`` is an ``http(s)://`` URL of this machine (a local stand-in)."""
    if not endpoint:
        return False
    parts = urlsplit(endpoint)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOOPBACK_HOSTS


def botocore_config(settings: Settings, **extra: Any) -> Config:
    return Config(
        region_name=settings.aws_region,
        retries={"mode": "standard", "total_max_attempts": settings.max_attempts},
        connect_timeout=settings.connect_timeout_s,
        read_timeout=settings.read_timeout_s,
        **extra,
    )


def _session(settings: Settings, endpoint: str | None) -> boto3.session.Session:
    if endpoint and settings.is_local:
        return boto3.session.Session(region_name=settings.aws_region, **LOCAL_CREDENTIALS)
    return boto3.session.Session(region_name=settings.aws_region)


DYNAMODB_CONNECTIONS = 32
"""Connections kept per DynamoDB client: room for a billing run's threads (botocore keeps 10)."""


def dynamodb_client(settings: Settings) -> Any:
    endpoint = settings.dynamodb_endpoint
    return _session(settings, endpoint).client(
        "dynamodb", endpoint_url=endpoint,
        config=botocore_config(settings, max_pool_connections=DYNAMODB_CONNECTIONS),
    )  # fmt: skip


def s3_client(settings: Settings, endpoint_url: str | None = None) -> Any:
    """S3 (``endpoint_url``, else the settings' S3 endpoint, else AWS).

    Signature version 4 always, so presigned URLs and POST policies carry their expiry
    (``X-Amz-Expires``, the policy's ``expiration``) whatever the region or endpoint; on
    AWS, URLs are regional and virtual-hosted (:func:`portal.uploads.bucket.bucket_origin`).
    """
    endpoint = endpoint_url or settings.s3_endpoint
    extra: dict[str, Any] = {"signature_version": "s3v4"}
    if not endpoint:
        # Regional virtual-hosted URLs (https://<bucket>.s3.<region>.amazonaws.com[.cn]/):
        # the legacy global endpoint that botocore otherwise signs presigned URLs for does
        # not serve opt-in regions (ap-east-1), and the site's CSP names this one origin.
        extra["s3"] = {"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"}
    else:
        # S3-compatible stores often reject the CRC checksums boto3 now adds by default.
        extra |= {
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        }
    return _session(settings, endpoint).client(
        "s3", endpoint_url=endpoint, config=botocore_config(settings, **extra)
    )


def sns_client(settings: Settings) -> Any:
    return _session(settings, None).client("sns", config=botocore_config(settings))


def lambda_client(settings: Settings) -> Any:
    """AWS Lambda: the function invoking itself for work off the request path (dev, prod)."""
    return _session(settings, None).client("lambda", config=botocore_config(settings))


def cloudfront_client(settings: Settings) -> Any:
    """CloudFront (a global service): invalidations after a publish."""
    return _session(settings, None).client("cloudfront", config=botocore_config(settings))


def local_probe_client(endpoint: str) -> Any:
    """A DynamoDB Local client that answers fast or not at all (is it up yet?)."""
    session = boto3.session.Session(region_name="us-east-1", **LOCAL_CREDENTIALS)
    config = Config(
        connect_timeout=0.5, read_timeout=2, retries={"mode": "standard", "max_attempts": 1}
    )
    return session.client("dynamodb", endpoint_url=endpoint, config=config)


def ssm_client(settings: Settings) -> Any:
    """SSM Parameter Store: the secrets, read by name (``portal.store.secrets``)."""
    return _session(settings, None).client("ssm", config=botocore_config(settings))


def secretsmanager_client(settings: Settings) -> Any:
    """Secrets Manager: the other secret store a ``..._REF`` may name."""
    return _session(settings, None).client("secretsmanager", config=botocore_config(settings))


def client(settings: Settings, service: str) -> Any:
    """Any other service, configured the same way (``portal doctor`` reads CloudFormation,
    Lambda and SNS settings with it)."""
    return _session(settings, None).client(service, config=botocore_config(settings))
