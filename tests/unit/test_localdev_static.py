"""The dev server's static half: serves build/site as CloudFront + S3 would."""

from pathlib import Path

import pytest
from werkzeug.test import Client

from functions.local.static import StaticSite, content_type
from portal.site.security import SECURITY_HEADERS


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "notices" / "water").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "empty").mkdir()
    (root / "index.html").write_text("<h1>首页</h1>", encoding="utf-8")
    (root / "notices" / "water" / "index.html").write_text("<h1>停水</h1>", encoding="utf-8")
    (root / "assets" / "site.css").write_text("body{}", encoding="utf-8")
    (root / "assets" / "app.js").write_text("void 0;", encoding="utf-8")
    (root / "assets" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (root / "calendar.ics").write_text("BEGIN:VCALENDAR", encoding="utf-8")
    (root / "404.html").write_text("<h1>找不到</h1>", encoding="utf-8")
    (root / ".portal-build.pickle").write_bytes(b"manifest")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    return root


@pytest.fixture
def client(site: Path) -> Client:
    return Client(StaticSite(site))


def test_directory_serves_its_index_html(client: Client) -> None:
    r = client.get("/notices/water/")
    assert r.status_code == 200
    assert r.get_data(as_text=True) == "<h1>停水</h1>"
    assert client.get("/").get_data(as_text=True) == "<h1>首页</h1>"


def test_directory_without_slash_redirects_to_the_slash_keeping_the_query(client: Client) -> None:
    r = client.get("/notices/water?lang=en")
    assert r.status_code == 301
    assert r.headers["Location"] == "/notices/water/?lang=en"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/assets/site.css", "text/css; charset=utf-8"),
        ("/assets/app.js", "text/javascript; charset=utf-8"),
        ("/feed.xml", "application/xml; charset=utf-8"),
        ("/calendar.ics", "text/calendar; charset=utf-8"),
        ("/assets/logo.png", "image/png"),
    ],
)
def test_content_type_is_right_and_text_says_utf8(client: Client, path: str, expected: str) -> None:
    assert client.get(path).headers["Content-Type"] == expected


def test_unknown_suffix_is_served_as_bytes() -> None:
    assert content_type(Path("x.unknownsuffix")) == "application/octet-stream"


@pytest.mark.parametrize(
    "path", ["/", "/assets/site.css", "/missing", "/notices/water", "/../secret.txt"]
)
def test_every_static_response_carries_the_security_headers(client: Client, path: str) -> None:
    headers = client.get(path).headers
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value


def test_html_is_never_cached_and_assets_are_revalidated(client: Client) -> None:
    assert client.get("/").headers["Cache-Control"] == "no-store"
    css = client.get("/assets/site.css")
    assert css.headers["Cache-Control"] == "no-cache"
    again = client.get("/assets/site.css", headers={"If-None-Match": css.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/notices/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/notices/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/.portal-build.pickle",
    ],
)
def test_path_traversal_and_hidden_files_are_not_found(client: Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert "outside" not in r.get_data(as_text=True)
    assert "manifest" not in r.get_data(as_text=True)


def test_symlink_leading_out_of_the_site_is_not_followed(client: Client, site: Path) -> None:
    (site / "escape.txt").symlink_to(site.parent / "secret.txt")
    assert client.get("/escape.txt").status_code == 404


def test_missing_page_gets_the_404_page_with_status_404(client: Client) -> None:
    r = client.get("/no/such/page/")
    assert r.status_code == 404
    assert r.get_data(as_text=True) == "<h1>找不到</h1>"
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"


def test_folder_without_index_is_not_found(client: Client) -> None:
    assert client.get("/empty/").status_code == 404


def test_without_a_404_page_a_plain_bilingual_404_is_sent(tmp_path: Path) -> None:
    r = Client(StaticSite(tmp_path / "not-built-yet")).get("/")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Not Found" in r.get_data(as_text=True)


def test_chinese_paths_are_served(client: Client, site: Path) -> None:
    (site / "通知").mkdir()
    (site / "通知" / "index.html").write_text("ok", encoding="utf-8")
    assert client.get("/%E9%80%9A%E7%9F%A5/").get_data(as_text=True) == "ok"


def test_only_get_and_head_are_allowed(client: Client) -> None:
    r = client.post("/")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"
    head = client.head("/")
    assert head.status_code == 200 and head.get_data() == b""
