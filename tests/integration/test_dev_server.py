"""`portal dev` end to end: DynamoDB Local, the S3 stand-in, tables, demo data, site and API
on one origin."""

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from functions.local.server import run_dev
from portal.localdev.ports import free_port, port_is_free
from portal.settings import Settings
from tests.integration.conftest import DATA, require_dynamodb_local


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def wait_for(url: str, done: threading.Event, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not done.is_set():
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def test_dev_server_serves_site_and_api_on_one_origin_and_stops_cleanly(tmp_path: Path) -> None:
    require_dynamodb_local()
    port, ddb_port, s3_port = free_port(), free_port(), free_port()
    settings = Settings(content_dir=DATA, build_dir=tmp_path / "site")
    stop, done = threading.Event(), threading.Event()
    result: list[int] = []

    def run() -> None:
        try:
            result.append(
                run_dev(port, ddb_port, s3_port=s3_port, settings=settings,
                        data_dir=tmp_path / "ddb", stop=stop)
            )
        finally:
            done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/", done)
        status, headers, body = get(f"{base}/api/health")
        assert status == 200, body
        assert json.loads(body)["tables"] == {"portal-local-main": "ACTIVE"}
        status, headers, body = get(f"{base}/")
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert "Content-Security-Policy" in headers
        # the S3 stand-in: the uploads bucket, which the site's origin may POST forms to
        preflight = urllib.request.Request(
            f"http://127.0.0.1:{s3_port}/portal-local-uploads", method="OPTIONS",
            headers={"Origin": base, "Access-Control-Request-Method": "POST"},
        )
        with urllib.request.urlopen(preflight, timeout=5) as r:
            assert r.status == 200
            assert r.headers["Access-Control-Allow-Origin"] == base
    finally:
        stop.set()
        thread.join(60)
    assert result == [0]
    assert port_is_free(port) and port_is_free(ddb_port) and port_is_free(s3_port)
