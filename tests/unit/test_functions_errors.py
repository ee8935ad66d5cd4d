"""Every error response is the same JSON envelope, with messages in zh-CN and English."""

from __future__ import annotations

import io
import json
import logging
import uuid
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError, EndpointConnectionError
from flask.testing import FlaskClient
from pydantic import BaseModel, Field

from functions.app import PortalAPI, create_app
from functions.error_models import ErrorEnvelope
from functions.errors import ERROR_CODES, MAX_CONTENT_LENGTH, STATUS
from functions.routing import ApiBlueprint
from portal import errors as domain
from portal.i18n import CATALOG_DIR, LANGS
from portal.settings import Settings
from portal.store.errors import ConditionFailed, translate
from tests.support.auth import ORIGIN


class Probe(BaseModel):
    name: str = Field(min_length=1)
    count: int


def _probe_app(settings: Settings) -> PortalAPI:
    """The real app plus test-only routes (never registered by create_app)."""
    app = create_app(settings)
    bp = ApiBlueprint("probe", __name__, url_prefix="/api/test")

    @bp.post("/probe")
    def probe(body: Probe) -> dict[str, Any]:
        return {"name": body.name, "count": body.count}

    app.register_api(bp)

    def boom() -> str:
        raise RuntimeError("secret internals: password=hunter2")

    def raise_domain(name: str) -> str:
        raise getattr(domain, name)()

    def raise_specific() -> str:
        raise domain.InvalidInput("invalid_phone_zz_not_in_catalog")

    def raise_store(kind: str) -> str:
        # What the store raises (portal.store.errors) for what boto3 raised.
        if kind == "throttled":
            raise translate(
                ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Query")
            )
        if kind == "unreachable":
            raise translate(EndpointConnectionError(endpoint_url="https://dynamodb.example"))
        if kind == "conflict":
            raise ConditionFailed("item_is_new")
        raise translate(ClientError({"Error": {"Code": "ValidationException", "Message": "bad"}}, "Query"))

    app.add_url_rule("/api/test/boom", view_func=boom)
    app.add_url_rule("/api/test/domain/<name>", view_func=raise_domain)
    app.add_url_rule("/api/test/specific", view_func=raise_specific)
    app.add_url_rule("/api/test/store/<kind>", view_func=raise_store)
    return app


@pytest.fixture
def client(settings: Settings) -> FlaskClient:
    client = _probe_app(settings).test_client()
    client.environ_base["HTTP_ORIGIN"] = ORIGIN  # the site's origin: passes the CSRF check
    return client


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    # built as plain dictionaries (no pydantic on a cold start), exactly as documented
    documented = ErrorEnvelope.model_validate(body, strict=True)
    assert documented.model_dump(mode="json", exclude_none=True) == body
    error: dict[str, Any] = body["error"]
    assert error["code"] == code
    assert error["message"] and error["message_en"]
    assert error["message"] != error["message_en"]
    uuid.UUID(response.headers["X-Request-Id"])  # one of our own: no API Gateway id here
    return error


def test_unknown_api_route_is_404_not_found(client: FlaskClient) -> None:
    assert_envelope(client.get("/api/no-such-resource"), 404, "not_found")


def test_wrong_method_is_405_with_allow_header(client: FlaskClient) -> None:
    response = client.delete("/api/health")

    assert_envelope(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_malformed_json_body_is_400_invalid_json(client: FlaskClient) -> None:
    response = client.post(
        "/api/test/probe", data='{"name": "a", ', content_type="application/json"
    )
    assert_envelope(response, 400, "invalid_json")


def test_body_that_is_not_json_is_400_invalid_json(client: FlaskClient) -> None:
    response = client.post("/api/test/probe", data="name=a&count=1", content_type="text/plain")
    assert_envelope(response, 400, "invalid_json")


def test_missing_body_is_400_invalid_json(client: FlaskClient) -> None:
    assert_envelope(client.post("/api/test/probe"), 400, "invalid_json")


def test_json_nested_a_thousand_levels_deep_is_400_invalid_json_not_a_500(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = '{"name": ' + "[" * 1000 + "]" * 1000 + "}"
    response = client.post("/api/test/probe", data=body, content_type="application/json")
    assert_envelope(response, 400, "invalid_json")
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # no traceback logged


def _chunked(client: FlaskClient, body: bytes) -> Any:
    """A POST with ``Transfer-Encoding: chunked`` and no declared length, as a server hands it."""
    return client.post(
        "/api/test/probe",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_cap_is_413_like_a_declared_one(client: FlaskClient) -> None:
    big = b'{"name": "' + b"x" * MAX_CONTENT_LENGTH + b'", "count": 1}'
    assert_envelope(_chunked(client, big), 413, "payload_too_large")


def test_a_small_chunked_body_is_read_as_usual(client: FlaskClient) -> None:
    response = _chunked(client, b'{"name": "a", "count": 1}')
    assert response.status_code == 200, response.get_json()


def test_body_over_one_mebibyte_is_413_payload_too_large(client: FlaskClient) -> None:
    big = json.dumps({"name": "x" * MAX_CONTENT_LENGTH, "count": 1})
    response = client.post("/api/test/probe", data=big, content_type="application/json")
    assert_envelope(response, 413, "payload_too_large")


def test_validation_failure_is_400_invalid_input_with_field_details(client: FlaskClient) -> None:
    response = client.post("/api/test/probe", json={"name": "", "count": "many"})

    error = assert_envelope(response, 400, "invalid_input")
    assert error["details"] == [
        {"field": "name", "problem": "string_too_short"},
        {"field": "count", "problem": "int_parsing"},
    ]
    assert "name" in error["message"] and "count" in error["message_en"]
    assert "{detail}" not in error["message"] + error["message_en"]


def test_valid_body_reaches_the_view(client: FlaskClient) -> None:
    response = client.post("/api/test/probe", json={"name": "2-1503", "count": 2})
    assert response.status_code == 200
    assert response.get_json() == {"name": "2-1503", "count": 2}


def test_unexpected_exception_is_500_internal_logged_with_request_id_without_traceback(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="functions.errors"):
        response = client.get("/api/test/boom")

    error = assert_envelope(response, 500, "internal")
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "hunter2" not in text and "RuntimeError" not in text
    request_id = response.headers["X-Request-Id"]
    assert any(request_id in r.getMessage() and r.exc_info is not None for r in caplog.records), (
        "the error is logged, with its traceback, under the request id"
    )
    assert "details" not in error


@pytest.mark.parametrize(
    ("name", "status"), [(cls.__name__, status) for cls, status in STATUS.items()]
)
def test_domain_errors_map_to_their_http_status(
    client: FlaskClient, name: str, status: int
) -> None:
    code = getattr(domain, name).code
    assert_envelope(client.get(f"/api/test/domain/{name}"), status, code)


def test_specific_code_without_catalog_entry_keeps_code_and_uses_class_message(
    client: FlaskClient,
) -> None:
    error = assert_envelope(
        client.get("/api/test/specific"), 400, "invalid_phone_zz_not_in_catalog"
    )
    assert "errors." not in error["message"] and "{detail}" not in error["message"]


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("throttled", 503, "unavailable"),
        ("unreachable", 503, "unavailable"),
        ("conflict", 409, "conflict"),
        ("bug", 500, "internal"),
    ],
)
def test_store_errors_are_503_when_transient_409_for_an_unhandled_conflict_and_500_otherwise(
    client: FlaskClient, kind: str, status: int, code: str
) -> None:
    assert_envelope(client.get(f"/api/test/store/{kind}"), status, code)


def test_every_error_code_has_a_message_in_both_languages() -> None:
    assert set(LANGS) == {"zh-CN", "en"}
    for lang in LANGS:
        with (CATALOG_DIR / lang / "errors.yaml").open(encoding="utf-8") as fh:
            messages = yaml.safe_load(fh)
        missing = sorted(code for code in ERROR_CODES if not messages.get(code))
        assert not missing, f"{lang}/errors.yaml lacks {missing}"


def test_chinese_messages_are_chinese_and_english_ones_are_not(client: FlaskClient) -> None:
    error = assert_envelope(client.get("/api/no-such-resource"), 404, "not_found")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    assert error["message_en"].isascii()
    assert "没有" in client.get("/api/nope").get_data(as_text=True), "UTF-8, not \\u escapes"
