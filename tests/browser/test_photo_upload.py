"""A photo from a phone's browser to the S3 stand-in and back, in Chromium.

A blank page served from its own loopback origin (the site's stand-in: no CSP, so
only CORS is under test) POSTs the presigned form with ``fetch`` + ``FormData``,
as the work-order page will; the service verifies the upload; an ``<img>`` shows it
through the presigned GET. A page of another origin cannot read the answer.
(HEIC is left out here only because Chromium cannot decode it; the unit tests upload it.)
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, Page

from functions.local.s3 import S3Local
from portal.settings import Settings
from portal.store.client import s3_client
from portal.store.objects import Bucket
from portal.uploads.bucket import prepare_bucket
from portal.uploads.service import UploadService
from tests.factories import FakeClock
from tests.support import images

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

OWNER = "owner:0f3a9c"
HOST = "127.0.0.1"

UPLOAD_JS = """async ([url, fields, b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", new File([bytes], name, {type: fields["Content-Type"]}));  // last
  try {
    const answer = await fetch(url, {method: "POST", body: form});
    return String(answer.status);
  } catch (e) {
    return "failed: " + e;
  }
}"""


def _blank(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = b"<!doctype html><meta charset=utf-8><title>upload</title><p>upload"
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Length", str(len(body)))])  # fmt: skip
    return [body]


@pytest.fixture(scope="module")
def page_port() -> Iterator[int]:
    """A page server on a free port: ``http://127.0.0.1:<port>`` is the site's origin."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass

    server = make_server(HOST, 0, _blank, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, name="upload-page", daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(5)
    server.server_close()


@pytest.fixture(scope="module")
def site(page_port: int) -> str:
    return f"http://{HOST}:{page_port}"


@pytest.fixture(scope="module")
def stand_in(site: str) -> Iterator[S3Local]:
    with S3Local(port=0, cors_origins=[site]) as s3:
        yield s3


@pytest.fixture
def uploads(moto_aws: None, stand_in: S3Local, site: str) -> UploadService:
    settings = Settings(stage="local", s3_endpoint=stand_in.endpoint)
    bucket = Bucket(s3_client(settings), settings.uploads_bucket)
    prepare_bucket(bucket, settings.aws_region, [site])
    return UploadService(bucket, FakeClock())


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    yield context.new_page()
    context.close()


def upload_from(page: Page, origin: str, offer: Any, data: bytes) -> str:
    page.goto(origin + "/")
    answer: str = page.evaluate(
        UPLOAD_JS, [offer.url, offer.fields, base64.b64encode(data).decode(), "IMG_0001"]
    )
    return answer


@pytest.mark.parametrize("content_type", ["image/jpeg", "image/png", "image/webp"])
def test_a_phone_browser_uploads_a_photo_with_the_presigned_form_and_shows_it(
    page: Page, uploads: UploadService, site: str, content_type: str
) -> None:
    data = images.REAL[content_type]
    offer = uploads.offer("workorders", OWNER, content_type, len(data))

    assert upload_from(page, site, offer, data) == "204"
    photo = uploads.verify(offer.key, content_type, owner_ref=OWNER)

    page.set_content(f'<img id="photo" src="{uploads.view_url(photo.key)}" alt="">')
    page.wait_for_function("document.getElementById('photo').complete")
    size = page.evaluate("[document.getElementById('photo').naturalWidth, "
                         "document.getElementById('photo').naturalHeight]")  # fmt: skip
    assert size == [8, 8]  # decoded by the browser: the real picture


def test_a_page_of_another_origin_cannot_read_the_answer_of_an_upload(
    page: Page, uploads: UploadService, page_port: int
) -> None:
    offer = uploads.offer("workorders", OWNER, "image/jpeg", len(images.JPEG))

    other = f"http://localhost:{page_port}"  # same server, another origin
    answer = upload_from(page, other, offer, images.JPEG)

    assert answer.startswith("failed: TypeError")
