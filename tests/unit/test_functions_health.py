"""GET /api/health on moto: table status, 200 vs 503, and the settings/client wiring."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from flask.testing import FlaskClient

from functions.app import create_app
from functions.context import portal_state
from portal.settings import Settings
from portal.store.tables import TABLES
from portal.wiring import Clients, Services


def _table_names(settings: Settings) -> list[str]:
    return [settings.table_name(t.suffix) for t in TABLES]


def _closed_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def client(settings: Settings) -> FlaskClient:
    return create_app(settings).test_client()


def test_health_is_200_and_ok_when_every_table_is_active(
    ddb: Any, settings: Settings, client: FlaskClient
) -> None:
    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.get_json() == {
        "ok": True,
        "stage": "test",
        "tables": {name: "ACTIVE" for name in _table_names(settings)},
    }


def test_health_is_503_with_error_envelope_when_a_table_is_missing(
    moto_aws: None, settings: Settings, client: FlaskClient
) -> None:
    response = client.get("/api/health")

    assert response.status_code == 503
    body = response.get_json()
    assert body["ok"] is False
    assert body["tables"] == {name: "MISSING" for name in _table_names(settings)}
    assert body["error"]["code"] == "unavailable"
    assert body["error"]["message"] and body["error"]["message_en"]


def test_health_is_503_with_unknown_tables_when_dynamodb_is_unreachable(
    settings: Settings,
) -> None:
    unreachable = settings.with_(
        dynamodb_endpoint=f"http://127.0.0.1:{_closed_loopback_port()}",
        max_attempts=1,
        connect_timeout_s=0.5,
    )
    response = create_app(unreachable).test_client().get("/api/health")

    assert response.status_code == 503
    body = response.get_json()
    assert body["ok"] is False
    assert body["tables"] == {name: "UNKNOWN" for name in _table_names(settings)}
    assert body["error"]["code"] == "unavailable"


def test_health_is_503_when_a_table_is_not_active_yet(settings: Settings) -> None:
    class CreatingTables:
        def describe_table(self, TableName: str) -> dict[str, Any]:
            return {"Table": {"TableName": TableName, "TableStatus": "CREATING"}}

    app = create_app(settings, Services(settings, Clients(settings, dynamodb=CreatingTables())))

    response = app.test_client().get("/api/health")

    assert response.status_code == 503
    assert set(response.get_json()["tables"].values()) == {"CREATING"}


def test_app_reads_settings_from_environment_when_none_are_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTAL_STAGE", "dev")
    monkeypatch.setenv("PORTAL_TABLE_PREFIX", "portal-dev-")
    monkeypatch.setenv("PORTAL_PHONE_HASH_KEY", "a-real-secret")
    monkeypatch.setenv("PORTAL_SITE_URL", "https://dev.owner-portal.example.cn")

    state = portal_state(create_app())

    assert state.settings.stage == "dev"
    assert state.settings.table_prefix == "portal-dev-"


def test_dynamodb_client_is_created_once_and_only_when_first_needed(
    ddb: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[Settings] = []

    def factory(s: Settings) -> Any:
        created.append(s)
        return ddb

    monkeypatch.setattr("portal.store.client.dynamodb_client", factory)
    app = create_app(settings)
    client = app.test_client()
    assert client.get("/api/openapi.json").status_code == 200
    assert created == []

    client.get("/api/health")
    client.get("/api/health")
    assert created == [settings]
