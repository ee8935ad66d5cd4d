"""Zappa's own Lambda handler, as the deployed function runs it, for tests.

Zappa's handler imports a generated ``zappa_settings`` module at cold start.
We generate it exactly as ``zappa package``/``zappa deploy`` do (ZappaCLI's
``load_settings`` + ``get_zappa_settings_string``) from ``infra/zappa_settings.json``,
so a wrong ``app_function``, a missing environment variable or a settings key
Zappa rejects fails in the tests and not on AWS. The fixtures that use these are in
``tests/unit/lambda_handler/conftest.py``.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from portal import ROOT
from tests.support.api_gateway import api_event, through_cloudfront

ZAPPA_JSON = ROOT / "infra" / "zappa_settings.json"
STAGES = ("dev", "prod")
API_GATEWAY_REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
LAMBDA_SECRET = "phone-hash-key-set-on-the-lambda-at-deploy-time"
ORIGIN_SECRET = "origin-secret-set-on-the-lambda-and-in-CloudFront-0123456789"
BEHIND_CLOUDFRONT = frozenset({"prod"})
"""Stages these tests deploy behind CloudFront (prod must be); dev is reached directly."""


def function_secrets(stage: str) -> dict[str, str]:
    """What is set on the function at deploy time, never in zappa_settings.json (Zappa's
    ``aws_environment_variables`` filled in from the secret store, or the console)."""
    secrets = {"PORTAL_PHONE_HASH_KEY": LAMBDA_SECRET}
    if stage in BEHIND_CLOUDFRONT:
        secrets["PORTAL_ORIGIN_SECRET"] = ORIGIN_SECRET
    return secrets


def generate_zappa_settings(stage: str, settings_json: Path, workdir: Path) -> str:
    """The ``zappa_settings.py`` source Zappa would put in the package for ``stage``."""
    from zappa.cli import ZappaCLI

    cli = ZappaCLI()
    cli.api_stage = stage
    cli.load_credentials = False  # packaging needs no AWS account
    cwd = Path.cwd()
    os.chdir(workdir)  # ZappaCLI scans the working directory for websocket handlers
    try:
        cli.load_settings(settings_file=str(settings_json))
    finally:
        os.chdir(cwd)
    source: str = cli.get_zappa_settings_string()
    return source


def settings_namespace(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "zappa_settings.py", "exec"), namespace)
    return namespace


def api_gateway_event(method: str, path: str, stage: str) -> dict[str, Any]:
    """An API Gateway event for ``stage`` with a known request id, as it reaches the
    function: in prod through CloudFront (with its origin secret), in dev directly."""
    if stage in BEHIND_CLOUDFRONT:
        return through_cloudfront(method, path, origin_secret=ORIGIN_SECRET, stage=stage,
                                  request_id=API_GATEWAY_REQUEST_ID)  # fmt: skip
    return api_event(method, path, stage=stage, request_id=API_GATEWAY_REQUEST_ID)


def lambda_context() -> Any:
    return SimpleNamespace(
        function_name="owner-portal-dev",
        aws_request_id="1f7a3c5e-0000-4000-8000-000000000001",
        memory_limit_in_mb=512,
        get_remaining_time_in_millis=lambda: 28_000,
    )


def invoke(handler_class: Any, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = handler_class.lambda_handler(event, lambda_context())
    return result
