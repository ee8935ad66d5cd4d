"""Every response carries an X-Request-Id: API Gateway's when there is one, else a fresh one."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient

from functions.app import create_app
from portal.settings import Settings


@pytest.fixture
def client(settings: Settings) -> FlaskClient:
    return create_app(settings).test_client()


def test_success_and_error_responses_both_carry_a_request_id(client: FlaskClient) -> None:
    for response in (client.get("/api/openapi.json"), client.get("/api/missing")):
        uuid.UUID(response.headers["X-Request-Id"])


def test_each_request_gets_its_own_generated_id(client: FlaskClient) -> None:
    ids = {client.get("/api/openapi.json").headers["X-Request-Id"] for _ in range(3)}
    assert len(ids) == 3


def test_api_gateway_request_id_is_used_when_present(client: FlaskClient) -> None:
    event = {"requestContext": {"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}}
    response = client.get("/api/missing", environ_base={"lambda.event": event})
    assert response.headers["X-Request-Id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def test_client_supplied_request_id_is_not_trusted(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json", headers={"X-Request-Id": "forged-by-client"})
    assert response.headers["X-Request-Id"] != "forged-by-client"
    uuid.UUID(response.headers["X-Request-Id"])


def test_malformed_api_gateway_request_id_is_replaced(client: FlaskClient) -> None:
    event = {"requestContext": {"requestId": "bad id with spaces"}}
    response = client.get("/api/openapi.json", environ_base={"lambda.event": event})
    uuid.UUID(response.headers["X-Request-Id"])
