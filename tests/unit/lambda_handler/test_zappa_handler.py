"""The deployed path: API Gateway event → Zappa's own Lambda handler → our WSGI app.

The settings module is generated as ``zappa package`` does (:mod:`tests.support.zappa_handler`),
so a wrong ``app_function``, a missing environment variable or a settings key Zappa rejects
fails here and not on AWS.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from portal.infra.names import LAMBDA_HANDLER
from portal.store.tables import TABLES
from tests.support.zappa_handler import (
    API_GATEWAY_REQUEST_ID,
    STAGES,
    ZAPPA_JSON,
    api_gateway_event,
    generate_zappa_settings,
    invoke,
    settings_namespace,
)

# --------------------------------------------------------------------------- the settings file


SITE_URLS = {"dev": "https://dev.owner-portal.example.cn", "prod": "https://owner-portal.example.cn"}
"""Each shipped stage names its site (https): the only origin allowed to change state."""


def test_every_stage_points_zappa_at_the_wsgi_app_and_our_entry_on_python_3_12() -> None:
    config = json.loads(ZAPPA_JSON.read_text(encoding="utf-8"))
    assert set(STAGES) <= set(config)
    for stage in STAGES:
        s = config[stage]
        assert s["app_function"] == "functions.wsgi.app"
        assert s["lambda_handler"] == LAMBDA_HANDLER
        assert s["runtime"] == "python3.12"
        assert s["slim_handler"] is False
        assert s["debug"] is False, "Zappa's DEBUG puts tracebacks in 500 bodies"
        assert s["timeout_seconds"] <= 29, "API Gateway gives up after 29 s"
        assert s["environment_variables"]["PORTAL_STAGE"] == stage
        assert s["environment_variables"]["PORTAL_TABLE_PREFIX"] == f"portal-{stage}-"
        assert {"boto3", "botocore", "tests", "bench", "node_modules"} <= set(s["exclude"])
        assert "site/content" not in s["exclude_glob"]  # a publish rebuilds the site from it
        assert s["context_header_mappings"] == {"X-Portal-Source-Ip": "identity.sourceIp"}
    assert config["dev"]["keep_warm"] is False


SECRETS = ("PORTAL_PHONE_HASH_KEY", "PORTAL_ORIGIN_SECRET", "PORTAL_ORIGIN_SECRET_PREVIOUS")


def test_no_secret_is_in_the_settings_file() -> None:
    """The phone-hash key and the origin secret are set on the function at deploy time from
    the secret store; the repository holds neither, not even as a placeholder."""
    config = json.loads(ZAPPA_JSON.read_text(encoding="utf-8"))
    for stage in STAGES:
        for section in ("environment_variables", "aws_environment_variables"):
            assert not set(SECRETS) & set(config[stage].get(section, {})), (stage, section)


def test_generated_settings_module_carries_app_stage_and_environment(
    stage: str, zappa_settings_source: str
) -> None:
    ns = settings_namespace(zappa_settings_source)
    assert (ns["APP_MODULE"], ns["APP_FUNCTION"]) == ("functions.wsgi", "app")
    assert ns["API_STAGE"] == stage
    assert ns["PROJECT_NAME"] == "owner-portal"
    assert ns["DEBUG"] is False
    assert ns["DOMAIN"] is None
    assert ns["ENVIRONMENT_VARIABLES"] == {
        "AWS_REGION": "ap-east-1",
        "PORTAL_STAGE": stage,
        "PORTAL_TABLE_PREFIX": f"portal-{stage}-",
        "PORTAL_SITE_URL": SITE_URLS[stage],
        "PORTAL_UPLOADS_BUCKET": f"owner-portal-{stage}-uploads",
        "PORTAL_SITE_BUCKET": f"owner-portal-{stage}-site",
        # secrets by reference (portal/store/secrets.py), never a value
        "PORTAL_PHONE_HASH_KEY_REF": f"ssm:/owner-portal/{stage}/phone-hash-key",
        **({"PORTAL_ORIGIN_SECRET_REF": "ssm:/owner-portal/prod/origin-secret"}
           if stage == "prod" else {}),
        # the API uses no pydantic plugin: a cold start does not scan every installed
        # package's entry points for one (pydantic's plugin loader, on its first model)
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }


# --------------------------------------------------------------------------- through the handler


def test_health_through_zappa_handler_is_200_with_every_table_active(
    lambda_handler: Any, ddb: Any, stage: str
) -> None:
    result = invoke(lambda_handler, api_gateway_event("GET", "/api/health", stage))

    assert result["statusCode"] == 200, result.get("body")
    assert not result.get("isBase64Encoded", False)
    assert result["headers"]["Content-Type"] == "application/json"
    assert result["headers"]["X-Request-Id"] == API_GATEWAY_REQUEST_ID
    assert json.loads(result["body"]) == {
        "ok": True,
        "stage": stage,
        "tables": {f"portal-{stage}-{t.suffix}": "ACTIVE" for t in TABLES},
    }


def test_openapi_document_through_zappa_handler(lambda_handler: Any, stage: str) -> None:
    result = invoke(lambda_handler, api_gateway_event("GET", "/api/openapi.json", stage))

    assert result["statusCode"] == 200, result.get("body")
    doc = json.loads(result["body"])
    assert doc["openapi"].startswith("3.")
    assert "get" in doc["paths"]["/api/health"]


def test_unknown_route_through_zappa_handler_is_the_json_404_envelope(
    lambda_handler: Any, stage: str
) -> None:
    result = invoke(lambda_handler, api_gateway_event("GET", "/api/no-such-thing", stage))

    assert result["statusCode"] == 404
    assert json.loads(result["body"])["error"]["code"] == "not_found"


@pytest.mark.parametrize("stage", ["dev"], indirect=True)
def test_handler_fails_at_cold_start_when_app_function_is_wrong(
    isolated_process: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    from zappa.handler import LambdaHandler

    config = json.loads(ZAPPA_JSON.read_text(encoding="utf-8"))
    config[stage]["app_function"] = "functions.wsgi.no_such_app"
    broken = tmp_path / "zappa_settings.json"
    broken.write_text(json.dumps(config), encoding="utf-8")
    package = tmp_path / "package"
    package.mkdir()
    (package / "zappa_settings.py").write_text(
        generate_zappa_settings(stage, broken, package), encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(package))

    with pytest.raises(AttributeError, match="no_such_app"):
        invoke(LambdaHandler, api_gateway_event("GET", "/api/health", stage))
