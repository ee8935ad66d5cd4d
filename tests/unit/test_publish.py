"""The S3 publisher, on moto's S3."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

import portal.site.publish as publish
from portal.settings import Settings
from portal.site.publish import (
    IMMUTABLE,
    SHORT,
    PublishError,
    cache_control,
    content_type,
    normalise_prefix,
    publish_site,
)

BUCKET = "portal-site-test"

ATOM = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Notices</title></feed>\n'
)
SITE: dict[str, bytes] = {
    "index.html": b"<!doctype html><link rel=stylesheet href=/assets/style.3f9a1c2b.css>",
    "notices/water/index.html": "<!doctype html><p>停水通知</p>".encode(),
    "notices/feed.xml": ATOM,
    "sitemap.xml": b'<?xml version="1.0"?><urlset/>',
    "events.ics": b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    "assets/style.3f9a1c2b.css": b"body{margin:0}",
    "assets/app.0123abcd9f.js": b"console.log(1)",
    "assets/logo.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "assets/photo.png": b"\x89PNG\r\n\x1a\n",
    "assets/photo.jpg": b"\xff\xd8\xff",
    "assets/photo.webp": b"RIFF\x00\x00\x00\x00WEBP",
    "assets/font.a1b2c3d4.woff2": b"wOF2",
    "api/buildings.json": b'{"buildings":[]}',
    "favicon.ico": b"\x00\x00\x01\x00",
    "robots.txt": b"User-agent: *\n",
    "site.webmanifest": b'{"name":"portal"}',
    ".manifest.json": b'{"pages":{}}',
    ".cache/x.html": b"<p>hidden</p>",
}
EXPECTED_TYPES: dict[str, tuple[str, str]] = {
    "index.html": ("text/html; charset=utf-8", SHORT),
    "notices/water/index.html": ("text/html; charset=utf-8", SHORT),
    "notices/feed.xml": ("application/atom+xml; charset=utf-8", SHORT),
    "sitemap.xml": ("application/xml; charset=utf-8", SHORT),
    "events.ics": ("text/calendar; charset=utf-8", SHORT),
    "assets/style.3f9a1c2b.css": ("text/css; charset=utf-8", IMMUTABLE),
    "assets/app.0123abcd9f.js": ("text/javascript; charset=utf-8", IMMUTABLE),
    "assets/logo.svg": ("image/svg+xml; charset=utf-8", SHORT),
    "assets/photo.png": ("image/png", SHORT),
    "assets/photo.jpg": ("image/jpeg", SHORT),
    "assets/photo.webp": ("image/webp", SHORT),
    "assets/font.a1b2c3d4.woff2": ("font/woff2", IMMUTABLE),
    "api/buildings.json": ("application/json; charset=utf-8", SHORT),
    "favicon.ico": ("image/x-icon", SHORT),
    "robots.txt": ("text/plain; charset=utf-8", SHORT),
    "site.webmanifest": ("application/manifest+json; charset=utf-8", SHORT),
}


def write_site(root: Path, files: dict[str, bytes] = SITE) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


class Recorder:
    """Records the S3 operations a client makes, in order, via botocore's event hooks."""

    def __init__(self, client: Any) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail_keys: set[str] = set()
        client.meta.events.register("before-parameter-build.s3", self._before)

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        key = str(params.get("Key", ""))
        self.calls.append((model.name, key))
        if model.name == "PutObject" and key in self.fail_keys:
            raise ConnectionError(f"injected failure for {key}")

    def ops(self, name: str) -> list[str]:
        return [k for op, k in self.calls if op == name]

    def put_keys(self) -> list[str]:
        return self.ops("PutObject")

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture(scope="module")
def _s3_client(_moto_session: None) -> Any:
    """One moto S3 client for the module: building one costs ~0.15 s (the S3 model is large)."""
    return publish.s3_client(Settings(stage="test"))


@pytest.fixture
def s3(moto_aws: None, _s3_client: Any, settings: Settings) -> Any:
    """The S3 client with the site bucket created (moto forgets it after the test)."""
    _s3_client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": settings.aws_region}
    )
    return _s3_client


@pytest.fixture
def recorder(s3: Any) -> Iterator[Recorder]:
    recorder = Recorder(s3)
    yield recorder
    s3.meta.events.unregister("before-parameter-build.s3", recorder._before)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site")


def keys(s3: Any, prefix: str = "") -> set[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {o["Key"] for p in pages for o in p.get("Contents", ())}


def run(site: Path, s3: Any, settings: Settings, **kw: Any) -> publish.PublishPlan:
    return publish_site(site, bucket=BUCKET, settings=settings, client=s3, **kw)


def test_first_publish_uploads_every_file_with_content_type_and_cache_control_per_kind(
    s3: Any, site: Path, settings: Settings
) -> None:
    plan = run(site, s3, settings)

    assert plan.upload_count == len(EXPECTED_TYPES) and plan.skip_count == 0
    assert keys(s3) == set(EXPECTED_TYPES)
    for key, (ctype, cache) in EXPECTED_TYPES.items():
        head = s3.head_object(Bucket=BUCKET, Key=key)
        assert (key, head["ContentType"], head["CacheControl"]) == (key, ctype, cache)
    body = s3.get_object(Bucket=BUCKET, Key="notices/water/index.html")["Body"].read()
    assert body == SITE["notices/water/index.html"]


def test_dotfiles_and_the_build_manifest_are_never_uploaded(
    s3: Any, site: Path, settings: Settings
) -> None:
    plan = run(site, s3, settings)

    assert not any(k.startswith(".") or "/." in k for k in keys(s3))
    assert ".manifest.json" not in plan.upload_keys


def test_second_publish_without_changes_uploads_nothing_and_lists_once(
    s3: Any, recorder: Recorder, site: Path, settings: Settings
) -> None:
    run(site, s3, settings)
    recorder.reset()

    plan = run(site, s3, settings)

    assert (plan.upload_count, plan.delete_count, plan.skip_count) == (0, 0, len(EXPECTED_TYPES))
    assert not plan.changed
    assert [op for op, _ in recorder.calls] == ["ListObjectsV2"]
    assert "0 new" in plan.summary() and "16 unchanged" in plan.summary()


def test_changing_one_file_uploads_exactly_that_file(
    s3: Any, recorder: Recorder, site: Path, settings: Settings
) -> None:
    run(site, s3, settings)
    (site / "notices/water/index.html").write_text("<p>恢复供水</p>", encoding="utf-8")
    recorder.reset()

    plan = run(site, s3, settings)

    assert plan.upload_keys == ("notices/water/index.html",)
    assert plan.uploads[0].reason == "changed"
    assert recorder.put_keys() == ["notices/water/index.html"]
    body = s3.get_object(Bucket=BUCKET, Key="notices/water/index.html")["Body"].read()
    assert body.decode() == "<p>恢复供水</p>"


def test_deleting_a_local_page_deletes_its_object(s3: Any, site: Path, settings: Settings) -> None:
    run(site, s3, settings)
    (site / "notices/water/index.html").unlink()

    plan = run(site, s3, settings)

    assert plan.deletes == ("notices/water/index.html",)
    assert "notices/water/index.html" not in keys(s3)
    assert keys(s3) == set(EXPECTED_TYPES) - {"notices/water/index.html"}


def test_prefix_publishes_under_it_and_never_touches_objects_outside(
    s3: Any, site: Path, settings: Settings
) -> None:
    outside = {"index.html", "preview-old/index.html", "other/app.js"}
    for key in outside:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"keep me")
    s3.put_object(Bucket=BUCKET, Key="preview/stale.html", Body=b"old page")

    plan = run(site, s3, settings, prefix="/preview/")

    assert plan.prefix == "preview/"
    assert keys(s3, "preview/") == {f"preview/{k}" for k in EXPECTED_TYPES}
    assert plan.deletes == ("preview/stale.html",)
    assert keys(s3) - keys(s3, "preview/") == outside
    for key in outside:
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"keep me"


def test_dry_run_reports_the_plan_and_writes_nothing(
    s3: Any, recorder: Recorder, site: Path, settings: Settings
) -> None:
    s3.put_object(Bucket=BUCKET, Key="gone.html", Body=b"old")
    s3.put_object(Bucket=BUCKET, Key="robots.txt", Body=SITE["robots.txt"])
    recorder.reset()

    plan = run(site, s3, settings, dry_run=True)

    assert plan.dry_run is True
    assert plan.upload_count == len(EXPECTED_TYPES) - 1
    assert plan.skipped == ("robots.txt",)
    assert plan.deletes == ("gone.html",)
    assert [op for op, _ in recorder.calls] == ["ListObjectsV2"]
    assert keys(s3) == {"gone.html", "robots.txt"}
    assert plan.summary().startswith("[dry run]")
    assert "would upload 15" in plan.summary() and "would delete 1" in plan.summary()


def test_assets_are_uploaded_before_html_and_html_before_feeds(
    s3: Any, recorder: Recorder, site: Path, settings: Settings
) -> None:
    run(site, s3, settings)

    order = recorder.put_keys()
    assert sorted(order) == sorted(EXPECTED_TYPES)
    waves = [publish.wave_of(PurePosixPath(k)) for k in order]
    assert waves == sorted(waves)
    last_asset = max(i for i, k in enumerate(order) if not k.endswith((".html", ".xml", ".ics")))
    first_html = min(i for i, k in enumerate(order) if k.endswith(".html"))
    assert last_asset < first_html


def test_deletions_wait_until_every_upload_succeeded(
    s3: Any, recorder: Recorder, site: Path, settings: Settings
) -> None:
    s3.put_object(Bucket=BUCKET, Key="gone.html", Body=b"old")
    recorder.reset()
    recorder.fail_keys.add("assets/style.3f9a1c2b.css")

    with pytest.raises(PublishError, match=r"style\.3f9a1c2b\.css"):
        run(site, s3, settings)

    assert "gone.html" in keys(s3)
    assert not any(k.endswith(".html") for k in recorder.put_keys())
    assert recorder.ops("DeleteObjects") == []


def test_listing_follows_every_page(
    s3: Any, site: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(site, s3, settings)
    monkeypatch.setattr(publish, "LIST_PAGE_SIZE", 2)

    plan = run(site, s3, settings)

    assert plan.skip_count == len(EXPECTED_TYPES) and plan.delete_count == 0


def test_a_multipart_or_kms_etag_counts_as_changed_never_as_unchanged(
    s3: Any, site: Path, settings: Settings
) -> None:
    files = publish.local_files(site)
    remote = {f.key: "9b2cf535f27731c974343645a3985328-2" for f in files}

    plan = publish.make_plan(files, remote, bucket=BUCKET, prefix="", dry_run=True)

    assert plan.skip_count == 0 and plan.upload_count == len(files)


def test_force_reuploads_unchanged_files(s3: Any, site: Path, settings: Settings) -> None:
    run(site, s3, settings)

    plan = run(site, s3, settings, force=True)

    assert plan.upload_count == len(EXPECTED_TYPES)
    assert {u.reason for u in plan.uploads} == {"forced"}


def test_an_empty_site_folder_is_refused_rather_than_emptying_the_bucket(
    s3: Any, tmp_path: Path, settings: Settings
) -> None:
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"live")
    empty = tmp_path / "empty"
    (empty / ".manifest.json").parent.mkdir()
    (empty / ".manifest.json").write_text("{}")

    with pytest.raises(PublishError, match="nothing to publish"):
        run(empty, s3, settings)

    assert keys(s3) == {"index.html"}


def test_remote_dotfiles_under_the_prefix_are_left_alone(
    s3: Any, site: Path, settings: Settings
) -> None:
    s3.put_object(Bucket=BUCKET, Key=".well-known/security.txt", Body=b"Contact: x")

    plan = run(site, s3, settings)

    assert plan.delete_count == 0 and ".well-known/security.txt" in keys(s3)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("style.3f9a1c2b.css", IMMUTABLE),
        ("img/deep/logo.0123456789abcdef.png", IMMUTABLE),
        ("style.3f9a1c2.css", SHORT),  # 7 hex chars: not a hash
        ("app.min.js", SHORT),
        ("3f9a1c2b.css", SHORT),  # no name before the hash
        ("notice.20261122.html", SHORT),  # pages are never immutable
        ("feed.3f9a1c2b.xml", SHORT),
    ],
)
def test_only_hashed_asset_names_are_cached_as_immutable(name: str, expected: str) -> None:
    assert cache_control(PurePosixPath(name)) == expected


def test_xml_is_atom_only_when_its_root_is_an_atom_feed() -> None:
    assert content_type(PurePosixPath("feed.xml"), ATOM).startswith("application/atom+xml")
    assert content_type(PurePosixPath("sitemap.xml"), b"<urlset/>").startswith("application/xml")
    assert content_type(PurePosixPath("x.atom")) == "application/atom+xml; charset=utf-8"
    assert content_type(PurePosixPath("blob.unknownext")) == "application/octet-stream"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("/", ""),
        ("preview", "preview/"),
        ("/a//b/", "a/b/"),
    ],
)
def test_prefix_is_normalised_to_a_folder(raw: str, expected: str) -> None:
    assert normalise_prefix(raw) == expected


def test_a_dotdot_prefix_is_rejected() -> None:
    with pytest.raises(ValueError, match="invalid prefix"):
        normalise_prefix("a/../b")


def test_client_uses_the_settings_region_retries_and_given_endpoint(
    moto_aws: None, settings: Settings
) -> None:
    client = publish.s3_client(settings, "http://127.0.0.1:9000")

    assert client.meta.region_name == settings.aws_region
    assert client.meta.endpoint_url == "http://127.0.0.1:9000"
    # botocore counts retries after the first try: max_attempts=3 → 4 attempts in all.
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert client.meta.config.read_timeout == settings.read_timeout_s


def test_cli_publish_builds_its_own_client_and_prints_the_summary(s3: Any, site: Path) -> None:
    from click.testing import CliRunner

    from portal.cli import main

    result = CliRunner().invoke(
        main, ["publish", "--bucket", BUCKET, "--prefix", "www", "--site", str(site)],
        env={"PORTAL_STAGE": "test"},
    )

    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"s3://{BUCKET}/www/: uploaded 16 (16 new, 0 changed), 0 unchanged, deleted 0"
    )
    assert keys(s3) == {f"www/{k}" for k in EXPECTED_TYPES}


def test_cli_publish_refuses_to_run_without_a_stage(s3: Any, site: Path) -> None:
    from click.testing import CliRunner

    from portal.cli import main

    result = CliRunner().invoke(
        main, ["publish", "--bucket", BUCKET, "--site", str(site)], env={"PORTAL_STAGE": ""}
    )
    assert result.exit_code == 2 and "PORTAL_STAGE" in result.output
    assert "拒绝执行" in result.output and "Refusing" in result.output
    assert keys(s3) == set()
