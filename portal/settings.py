"""Configuration, read from the environment in exactly one place.

Zappa passes the environment on Lambda (``infra/zappa_settings.json``); the
local run sets it in ``portal dev``. Nothing else in the code base reads
``os.environ``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from portal import ROOT
from portal.billing.providers.config import (
    LOCAL_DEFAULT,
    PaymentConfigError,
    PaymentSettings,
    payment_settings,
)
from portal.clock import DEFAULT_TIME_ZONE

Stage = Literal["local", "test", "dev", "prod"]
_STAGES: tuple[Stage, ...] = ("local", "test", "dev", "prod")


class ConfigurationError(ValueError):
    """The environment does not describe a safe configuration: refuse to start."""


LAMBDA_BUILD_DIR = "/tmp/portal-site"
"""The build folder on Lambda: the package (``/var/task``) is read-only."""

_ORIGIN_SECRET = re.compile(r"[\x21-\x7e]{32,256}")
"""An origin secret: 32 to 256 visible ASCII characters (a header value CloudFront sends)."""


@dataclass(frozen=True)
class Settings:
    stage: Stage = "local"
    aws_region: str = "ap-east-1"
    dynamodb_endpoint: str | None = None
    s3_endpoint: str | None = None
    table_prefix: str = "portal-local-"
    uploads_bucket: str = "portal-local-uploads"
    """The bucket of photo uploads (``PORTAL_UPLOADS_BUCKET``); empty: not configured, and
    the upload service refuses to start (outside local/test there is no default: bucket
    names are global, a guessed one could be someone else's)."""
    site_bucket: str = ""
    """The bucket the site is served from (``PORTAL_SITE_BUCKET``): on AWS (dev, prod) a
    publish uploads the changed files there. Empty in the local and test stages, where the
    dev server serves the build folder; elsewhere the site rebuild refuses to be built
    without it (``portal.wiring.Services.site_rebuilder``), so nothing publishes half-way."""
    cdn_distribution: str = ""
    """The CloudFront distribution in front of the site (``PORTAL_CLOUDFRONT_DISTRIBUTION``,
    the stack's output ``DistributionId``): a publish invalidates the changed pages there.
    Required with ``site_bucket`` outside the local and test stages."""
    site_url: str = "http://127.0.0.1:8000"
    content_dir: Path = field(default_factory=lambda: ROOT / "site" / "content")
    site_src_dir: Path = field(default_factory=lambda: ROOT / "site")
    build_dir: Path = field(default_factory=lambda: ROOT / "build" / "site")
    time_zone: str = DEFAULT_TIME_ZONE
    phone_hash_key: bytes = field(default=b"local-development-only-phone-key", repr=False)
    """Key of the keyed hash (HMAC-SHA256) that makes phone numbers look-up keys."""
    origin_secrets: tuple[str, ...] = field(default=(), repr=False)
    """The values of CloudFront's origin header that prove a request came through it (the
    current one, then the previous one during a rotation). When there are any, every API
    request must carry one of them, and the caller's address is CloudFront's viewer address;
    when there are none, the API is reached directly through API Gateway."""
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 5.0
    max_attempts: int = 3
    payments: PaymentSettings = field(default=LOCAL_DEFAULT, repr=False)
    """Payment accounts per estate (``PORTAL_PAYMENTS``, secrets by reference:
    :mod:`portal.billing.providers.config`); the sandbox for every estate by default."""
    function_name: str = ""
    """This Lambda function's name (``AWS_LAMBDA_FUNCTION_NAME``, set by Lambda): tasks are
    dispatched by invoking it asynchronously. Empty off Lambda."""

    @property
    def is_local(self) -> bool:
        """Local and test stages: dev-only routes exist, cookies need not be Secure."""
        return self.stage in ("local", "test")

    @property
    def publishes_to_s3(self) -> bool:
        """A publish uploads to the site bucket (dev, prod); locally the build folder is the site."""
        return not self.is_local

    @property
    def behind_cdn(self) -> bool:
        """Requests must come through CloudFront (an origin secret is configured)."""
        return bool(self.origin_secrets)

    @property
    def site_origin(self) -> str:
        """``scheme://host[:port]`` of the site: the only origin allowed to change state."""
        parts = self.site_url.split("/")
        return "/".join(parts[:3])

    def table_name(self, suffix: str) -> str:
        return f"{self.table_prefix}{suffix}"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        default_stage: Stage | None = None,
        serves_api: bool = True,
    ) -> Settings:
        """The settings of the environment; :class:`ConfigurationError` when they are unsafe.

        Fails closed: without ``PORTAL_STAGE`` nothing starts (only callers that never talk
        to AWS, like ``portal build``, pass a ``default_stage``; ``portal dev`` sets
        ``local`` itself), and outside the local and test stages the site URL must be
        ``https://`` and the phone-hash key must be set and not the development one. In
        ``prod`` the API refuses to start without ``PORTAL_ORIGIN_SECRET`` (requests must
        come through CloudFront); an origin secret, in any stage, must be long enough.
        Only the command line, which answers no HTTP request, passes ``serves_api=False``
        and so never needs to hold that secret.
        A secret may be given by reference, ``PORTAL_X_REF=ssm:/owner-portal/<stage>/x``
        (:mod:`portal.store.secrets`: read once, here; a value set directly wins); one that
        cannot be read refuses the start like a missing one.
        ``PORTAL_UPLOADS_BUCKET`` defaults to ``portal-<stage>-uploads`` in the local and
        test stages only; elsewhere it stays empty unless set, and the upload service
        (``portal.wiring.Services.uploads``) refuses to be built without it.
        ``PORTAL_SITE_BUCKET`` and ``PORTAL_CLOUDFRONT_DISTRIBUTION`` have no default either:
        without both, a publish on AWS refuses to run (the site rebuild is not built) and
        says which is missing. On Lambda (``AWS_LAMBDA_FUNCTION_NAME`` set) the build folder
        defaults to ``/tmp/portal-site``, the only writable place.
        Payment accounts (``PORTAL_PAYMENTS``)
        must have every key they reference outside local and test, and no sandbox.
        """
        e = _with_secrets(os.environ if env is None else env)
        stage = e.get("PORTAL_STAGE") or default_stage
        if not stage:
            raise ConfigurationError(
                "PORTAL_STAGE is not set: say which stage this is (local, test, dev or prod)"
            )
        if stage not in _STAGES:
            raise ConfigurationError(f"PORTAL_STAGE must be one of {_STAGES}, not {stage!r}")
        d = cls()
        key = e.get("PORTAL_PHONE_HASH_KEY", "")
        site_url = e.get("PORTAL_SITE_URL", "").rstrip("/")
        if stage not in ("local", "test"):
            if not key or key.encode() == d.phone_hash_key:
                raise ConfigurationError(
                    "PORTAL_PHONE_HASH_KEY must be set (a secret, not the development key) "
                    "outside the local and test stages"
                )
            if not site_url.startswith("https://"):
                raise ConfigurationError(
                    "PORTAL_SITE_URL must be the site's https:// address outside the local "
                    "and test stages (it is the only origin allowed to change state)"
                )
        origin_secrets = _origin_secrets(e)
        try:
            payments = payment_settings(e, local=stage in ("local", "test"))
        except PaymentConfigError as exc:
            raise ConfigurationError(str(exc)) from None
        if serves_api and stage == "prod" and not origin_secrets:
            raise ConfigurationError(
                "PORTAL_ORIGIN_SECRET must be set in prod: the value CloudFront sends in its "
                "origin header, so that requests which bypass CloudFront are refused"
            )
        return cls(
            stage=stage,
            aws_region=e.get("AWS_REGION", e.get("AWS_DEFAULT_REGION", d.aws_region)),
            dynamodb_endpoint=e.get("PORTAL_DYNAMODB_ENDPOINT") or None,
            s3_endpoint=e.get("PORTAL_S3_ENDPOINT") or None,
            table_prefix=e.get("PORTAL_TABLE_PREFIX", f"portal-{stage}-"),
            uploads_bucket=e.get("PORTAL_UPLOADS_BUCKET")
            or (f"portal-{stage}-uploads" if stage in ("local", "test") else ""),
            site_bucket=e.get("PORTAL_SITE_BUCKET", ""),
            cdn_distribution=e.get("PORTAL_CLOUDFRONT_DISTRIBUTION", ""),
            site_url=site_url or d.site_url,
            content_dir=Path(e.get("PORTAL_CONTENT_DIR", str(d.content_dir))),
            build_dir=Path(e.get("PORTAL_BUILD_DIR", "") or _default_build_dir(e, d.build_dir)),
            time_zone=e.get("PORTAL_TIME_ZONE", d.time_zone),
            phone_hash_key=key.encode() if key else d.phone_hash_key,
            function_name=e.get("AWS_LAMBDA_FUNCTION_NAME", ""),
            origin_secrets=origin_secrets,
            payments=payments,
        )


def _default_build_dir(env: Mapping[str, str], local: Path) -> str:
    """On Lambda, ``/tmp`` (the package is read-only); elsewhere the checkout's ``build/site``."""
    return LAMBDA_BUILD_DIR if env.get("AWS_LAMBDA_FUNCTION_NAME") else str(local)


def _with_secrets(env: Mapping[str, str]) -> Mapping[str, str]:
    """``env`` with the values of its ``PORTAL_*_REF`` secret references filled in."""
    if not any(k.startswith("PORTAL_") and k.endswith("_REF") for k in env):
        return env
    from portal.store import client
    from portal.store.secrets import SecretUnavailable, references, resolve

    refs = references(env)
    if not refs:
        return env
    region = env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", Settings.aws_region))
    settings = Settings(aws_region=region)
    made: dict[str, object] = {}

    def store_client(store: str) -> object:
        if store not in made:
            made[store] = client.client(settings, store)
        return made[store]

    try:
        return {**env, **resolve(refs, store_client)}
    except SecretUnavailable as exc:
        raise ConfigurationError(f"a secret could not be read: {exc}") from None


def _origin_secrets(env: Mapping[str, str]) -> tuple[str, ...]:
    """``PORTAL_ORIGIN_SECRET`` then ``PORTAL_ORIGIN_SECRET_PREVIOUS`` (during a rotation)."""
    current = env.get("PORTAL_ORIGIN_SECRET", "")
    previous = env.get("PORTAL_ORIGIN_SECRET_PREVIOUS", "")
    if previous and not current:
        raise ConfigurationError(
            "PORTAL_ORIGIN_SECRET_PREVIOUS is set without PORTAL_ORIGIN_SECRET: a rotation "
            "needs the new value too"
        )
    for name, value in (("PORTAL_ORIGIN_SECRET", current),
                        ("PORTAL_ORIGIN_SECRET_PREVIOUS", previous)):  # fmt: skip
        if value and not _ORIGIN_SECRET.fullmatch(value):
            raise ConfigurationError(
                f"{name} must be 32 to 256 visible ASCII characters, no spaces "
                "(for example `openssl rand -base64 48`)"
            )
    return tuple(v for v in (current, previous) if v)
