"""The whole photo flow over real HTTP, on the S3 stand-in of ``portal dev`` (moto's server).

offer → the browser's multipart POST to the presigned URL → verify → a presigned GET,
each over a socket to moto's server on a free loopback port, as in a local run.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from functions.local.s3 import S3Local
from functions.local.server import site_origins
from portal.localdev.errors import PortInUse
from portal.settings import Settings
from portal.store.client import s3_client
from portal.store.objects import Bucket
from portal.uploads.bucket import prepare_bucket
from portal.uploads.errors import UploadContentMismatch
from portal.uploads.service import UploadService
from tests.factories import FakeClock
from tests.support import images
from tests.support.s3_form import post_form, send

OWNER = "owner:0f3a9c"
SITE_PORT = 8000
SITE = f"http://127.0.0.1:{SITE_PORT}"


@pytest.fixture(scope="module")
def stand_in() -> Iterator[S3Local]:
    """One S3 stand-in for the module, on a port the kernel picks."""
    with S3Local(port=0, cors_origins=site_origins(SITE_PORT)) as s3:
        yield s3


@pytest.fixture(scope="module")
def _client(stand_in: S3Local) -> Any:
    """An S3 client of the stand-in, as ``portal dev`` builds it (local credentials)."""
    return s3_client(Settings(stage="local", s3_endpoint=stand_in.endpoint))


@pytest.fixture
def bucket(moto_aws: None, _client: Any, settings: Settings) -> Bucket:
    """The uploads bucket as ``portal dev`` prepares it (moto forgets it after the test)."""
    bucket = Bucket(_client, settings.uploads_bucket)
    assert prepare_bucket(bucket, settings.aws_region, site_origins(SITE_PORT))
    return bucket


@pytest.fixture
def uploads(bucket: Bucket, clock: FakeClock) -> UploadService:
    return UploadService(bucket, clock)


def keys(bucket: Bucket) -> set[str]:
    listed = bucket.client.list_objects_v2(Bucket=bucket.name)
    return {o["Key"] for o in listed.get("Contents", ())}


@pytest.mark.parametrize("content_type", sorted(images.REAL))
def test_a_form_post_then_verify_accepts_a_real_photo_and_a_presigned_get_shows_it(
    uploads: UploadService, content_type: str
) -> None:
    data = images.REAL[content_type]
    offer = uploads.offer("workorders", OWNER, content_type, len(data))

    status, headers, body = post_form(offer.url, offer.fields, data, filename="IMG_0001",
                                      content_type=content_type, origin=SITE)  # fmt: skip
    assert status == 204, body
    assert headers["access-control-allow-origin"] == SITE  # the page's fetch may read it
    photo = uploads.verify(offer.key, content_type, owner_ref=OWNER)

    status, headers, shown = send(urllib.request.Request(uploads.view_url(photo.key)))
    assert status == 200
    assert shown == data
    assert headers["content-type"] == content_type
    assert headers["content-disposition"] == f'inline; filename="{photo.key.rsplit("/", 1)[1]}"'


@pytest.mark.parametrize("declared, data", [
    ("image/png", images.SVG),
    ("image/jpeg", images.HTML),
    ("image/jpeg", images.PNG),
    ("image/jpeg", images.jpeg_html_polyglot()),
    ("image/png", images.png_zip_polyglot()),
], ids=["svg", "html", "png-as-jpeg", "jpeg-html-polyglot", "png-zip-polyglot"])  # fmt: skip
def test_a_form_post_of_hostile_content_is_refused_by_verify_and_deleted(
    uploads: UploadService, declared: str, data: bytes
) -> None:
    offer = uploads.offer("workorders", OWNER, declared, len(data))
    status, _, body = post_form(offer.url, offer.fields, data, content_type=declared)
    assert status == 204, body  # the stand-in, like S3, takes any bytes the policy allows
    assert keys(uploads.bucket) == {offer.key}

    with pytest.raises(UploadContentMismatch):
        uploads.verify(offer.key, declared, owner_ref=OWNER)

    assert keys(uploads.bucket) == set()


def preflight(url: str, origin: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method="OPTIONS", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"})  # fmt: skip
    status, headers, _ = send(request)
    return status, headers


def test_the_bucket_lets_the_local_site_post_forms_and_no_other_origin(
    uploads: UploadService,
) -> None:
    url = uploads.offer("workorders", OWNER, "image/jpeg", 100).url

    for origin in site_origins(SITE_PORT):
        status, headers = preflight(url, origin)
        assert status == 200
        assert headers["access-control-allow-origin"] == origin
        assert "POST" in headers["access-control-allow-methods"]
    status, headers = preflight(url, "http://evil.example")
    assert status == 403
    assert "access-control-allow-origin" not in headers  # no blanket "*" from moto


def test_a_form_post_from_another_origin_gets_no_cors_answer(uploads: UploadService) -> None:
    offer = uploads.offer("workorders", OWNER, "image/jpeg", len(images.JPEG))

    status, headers, _ = post_form(offer.url, offer.fields, images.JPEG,
                                   content_type="image/jpeg", origin="http://evil.example")  # fmt: skip

    assert status == 204  # a form is not stopped by CORS; its answer is unreadable to the page
    assert "access-control-allow-origin" not in headers


def test_the_stand_in_answers_only_requests_addressed_to_this_machine(
    stand_in: S3Local, bucket: Bucket
) -> None:
    request = urllib.request.Request(f"{stand_in.endpoint}/{bucket.name}",
                                     headers={"Host": "evil.example"})  # fmt: skip
    status, _, body = send(request)

    assert status == 421
    assert b"misdirected_request" in body


def test_the_stand_in_refuses_a_port_that_is_taken(stand_in: S3Local) -> None:
    with pytest.raises(PortInUse) as taken:
        S3Local(stand_in.port).start()

    assert "--s3-port" in str(taken.value)
