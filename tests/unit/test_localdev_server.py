"""`portal dev`: refusing taken ports, one origin for site and API, local settings."""

import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from functions.local.server import LOCAL_TABLE_PREFIX, compose, local_settings, run_dev
from functions.local.static import StaticSite
from portal.localdev.ports import free_port
from portal.settings import Settings


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        yield s.getsockname()[1]


def test_run_dev_refuses_a_taken_site_port_with_exit_code_2(
    taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_dev(port=taken_port, dynamodb_port=free_port()) == 2
    err = capsys.readouterr().err
    assert f"端口 {taken_port} 已被占用" in err
    assert f"Port {taken_port} is already in use" in err
    assert "--port" in err


def test_run_dev_refuses_a_taken_dynamodb_port_before_starting_anything(
    taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_dev(port=free_port(), dynamodb_port=taken_port) == 2
    out = capsys.readouterr()
    assert f"Port {taken_port} is already in use" in out.err
    assert "--dynamodb-port" in out.err
    assert "DynamoDB Local" not in out.out  # nothing was started


def test_run_dev_refuses_the_same_port_for_site_and_dynamodb(
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()
    assert run_dev(port=port, dynamodb_port=port) == 2
    assert f"Port {port} is already in use" in capsys.readouterr().err


def test_run_dev_refuses_a_taken_s3_port_before_starting_anything(
    taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_dev(port=free_port(), dynamodb_port=free_port(), s3_port=taken_port) == 2
    out = capsys.readouterr()
    assert f"Port {taken_port} is already in use" in out.err
    assert "--s3-port" in out.err
    assert "DynamoDB Local" not in out.out  # nothing was started


def test_local_settings_point_at_dynamodb_local_with_the_local_prefix() -> None:
    s = local_settings(8000, 8001, Settings(stage="prod", table_prefix="portal-prod-"))
    assert s.stage == "local"
    assert s.dynamodb_endpoint == "http://127.0.0.1:8001"
    assert s.table_prefix == LOCAL_TABLE_PREFIX == "portal-local-"
    assert s.site_url == "http://127.0.0.1:8000"


def test_local_settings_upload_photos_to_the_s3_stand_in_on_loopback() -> None:
    s = local_settings(8000, 8001, Settings(stage="prod", uploads_bucket="acme-photos"),
                       s3_port=8012)  # fmt: skip
    assert s.s3_endpoint == "http://127.0.0.1:8012"
    assert s.uploads_bucket == "portal-local-uploads"
    assert local_settings(8000, 8001).s3_endpoint == "http://127.0.0.1:8002"


def _api(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"api {environ['PATH_INFO']}".encode()]


def test_api_paths_go_to_the_api_unchanged_and_the_rest_to_the_site(tmp_path: Path) -> None:
    (tmp_path / "apiary").mkdir()
    (tmp_path / "apiary" / "index.html").write_text("bees", encoding="utf-8")
    client = Client(compose(_api, StaticSite(tmp_path)))
    assert client.get("/api/health").get_data(as_text=True) == "api /api/health"
    assert client.get("/api").get_data(as_text=True) == "api /api"
    assert client.get("/apiary/").get_data(as_text=True) == "bees"


def test_without_the_api_its_paths_answer_503_json(tmp_path: Path) -> None:
    r = Client(compose(None, StaticSite(tmp_path))).get("/api/health")
    assert r.status_code == 503
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("host", ["evil.example:8310", "evil.example", "192.168.1.20:8000", "127.0.0.1.evil.example"])
def test_a_request_for_any_host_but_loopback_is_refused_dns_rebinding(
    tmp_path: Path, host: str
) -> None:
    client = Client(compose(_api, StaticSite(tmp_path)))
    for path in ("/api/dev/outbox", "/api/me", "/"):
        r = client.get(path, headers={"Host": host, "Origin": f"http://{host}"})
        assert r.status_code == 421, (host, path)
        assert r.json is not None and r.json["error"]["code"] == "misdirected_request"
        assert "127.0.0.1" in r.json["error"]["message"]


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "localhost", "[::1]:8000"])
def test_loopback_hosts_are_served(tmp_path: Path, host: str) -> None:
    r = Client(compose(_api, StaticSite(tmp_path))).get("/api/health", headers={"Host": host})
    assert r.status_code == 200
