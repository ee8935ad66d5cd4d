"""Verifying an upload, and showing it: on moto's S3 in-process.

The upload itself is simulated with ``PutObject`` carrying what the form would
(content type, owner and purpose metadata); ``test_uploads_s3_server`` sends the
real form over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.store.errors import ObjectChanged
from portal.store.objects import Bucket
from portal.uploads import inspect
from portal.uploads.errors import (
    UploadContentMismatch,
    UploadEmpty,
    UploadMissing,
    UploadTooLarge,
    UploadTypeNotAllowed,
)
from portal.uploads.service import VIEW_EXPIRY_S, PresignedPost, UploadService, VerifiedPhoto
from portal.uploads.types import MiB
from tests.support import images

OWNER = "owner:0f3a9c"


def upload(uploads: UploadService, content_type: str, data: bytes,
           owner: str = OWNER, *, stored_type: str | None = None) -> PresignedPost:  # fmt: skip
    """Offer an upload and put ``data`` where the browser's POST would."""
    offer = uploads.offer("workorders", owner, content_type, max(len(data), 1))
    uploads.bucket.client.put_object(
        Bucket=uploads.bucket.name,
        Key=offer.key,
        Body=data,
        ContentType=stored_type or offer.fields["Content-Type"],
        Metadata={"owner": offer.fields["x-amz-meta-owner"],
                  "purpose": offer.fields["x-amz-meta-purpose"]},
    )  # fmt: skip
    return offer


def keys(bucket: Bucket) -> set[str]:
    listed = bucket.client.list_objects_v2(Bucket=bucket.name)
    return {o["Key"] for o in listed.get("Contents", ())}


class Calls:
    """The parameters of every S3 operation the client sends (botocore's event hooks)."""

    def __init__(self) -> None:
        self.made: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.made.append((model.name, dict(params)))

    def of(self, operation: str) -> list[dict[str, Any]]:
        return [p for name, p in self.made if name == operation]


@pytest.fixture
def calls(uploads_bucket: Bucket) -> Iterator[Calls]:
    recorder = Calls()
    uploads_bucket.client.meta.events.register("before-parameter-build.s3", recorder)
    yield recorder
    uploads_bucket.client.meta.events.unregister("before-parameter-build.s3", recorder)


# -- accepted --------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", sorted(images.REAL))
def test_a_real_photo_of_each_allowed_type_is_verified_and_moved_to_a_verified_key(
    uploads: UploadService, content_type: str
) -> None:
    data = images.REAL[content_type]
    offer = upload(uploads, content_type, data)

    photo = uploads.verify(offer.key, content_type, owner_ref=OWNER)

    assert photo == VerifiedPhoto(offer.key.replace("uploads/", "verified/", 1), content_type,
                                  len(data), "workorders", OWNER)  # fmt: skip
    assert keys(uploads.bucket) == {photo.key}  # the upload itself is gone
    stored = uploads.bucket.client.get_object(Bucket=uploads.bucket.name, Key=photo.key)
    assert stored["Body"].read() == data
    assert stored["ContentType"] == content_type
    assert stored["Metadata"] == {"owner": OWNER, "purpose": "workorders"}


def test_a_photo_with_the_xmp_metadata_cameras_write_is_accepted(uploads: UploadService) -> None:
    offer = upload(uploads, "image/jpeg", images.jpeg_with_xmp())

    assert uploads.verify(offer.key, "image/jpeg", owner_ref=OWNER).size > len(images.JPEG)


def test_verifying_again_returns_the_same_photo(uploads: UploadService) -> None:
    offer = upload(uploads, "image/png", images.PNG)
    first = uploads.verify(offer.key, "image/png", owner_ref=OWNER)

    assert uploads.verify(offer.key, "image/png", owner_ref=OWNER) == first
    with pytest.raises(UploadMissing):  # ... only to the one who uploaded it
        uploads.verify(offer.key, "image/png", owner_ref="owner:other")


def test_a_large_photo_is_read_in_two_windows_of_the_checked_version_only(
    uploads: UploadService, calls: Calls
) -> None:
    data = images.padded(images.JPEG, 3 * MiB)
    offer = upload(uploads, "image/jpeg", data)
    calls.made.clear()

    uploads.verify(offer.key, "image/jpeg", owner_ref=OWNER)

    etag = uploads.bucket.client.head_object(
        Bucket=uploads.bucket.name, Key=offer.key.replace("uploads/", "verified/", 1))["ETag"]
    reads = calls.of("GetObject")
    assert [r["Range"] for r in reads] == [
        f"bytes=0-{inspect.HEAD_BYTES - 1}",
        f"bytes={len(data) - inspect.TAIL_BYTES}-{len(data) - 1}",
    ]
    assert {r["IfMatch"] for r in reads} == {etag}
    (copy,) = calls.of("CopyObject")
    assert copy["CopySourceIfMatch"] == etag  # what was checked is what is copied
    assert copy["MetadataDirective"] == "REPLACE"
    assert copy["ContentType"] == "image/jpeg"
    assert copy["ContentDisposition"].startswith('inline; filename="')


# -- refused ---------------------------------------------------------------------------------

HOSTILE: dict[str, tuple[str, bytes, str]] = {
    "svg declared as png": ("image/png", images.SVG, "signature"),
    "html declared as jpeg": ("image/jpeg", images.HTML, "signature"),
    "png declared as jpeg": ("image/jpeg", images.PNG, "signature"),
    "jpeg declared as webp": ("image/webp", images.JPEG, "signature"),
    "avif declared as heic": ("image/heic", images.AVIF_HEADER, "signature"),
    "jpeg/html polyglot": ("image/jpeg", images.jpeg_html_polyglot(), "markup"),
    "png with a page appended": ("image/png", images.PNG + images.HTML, "markup"),
    "png/zip polyglot": ("image/png", images.png_zip_polyglot(), "archive"),
    "jpeg with a pdf inside": ("image/jpeg", images.JPEG + b"%PDF-1.7\n", "document"),
    "large jpeg with a page at its end": (
        "image/jpeg", images.padded(images.JPEG, 2 * MiB) + images.HTML, "markup"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_content_is_refused_and_deleted(uploads: UploadService, case: str) -> None:
    declared, data, reason = HOSTILE[case]
    offer = upload(uploads, declared, data)

    with pytest.raises(UploadContentMismatch) as refused:
        uploads.verify(offer.key, declared, owner_ref=OWNER)

    assert refused.value.code == "upload_content_mismatch"
    assert refused.value.params["reason"] == reason
    assert keys(uploads.bucket) == set()  # deleted, and never copied


def test_a_declared_type_other_than_the_offered_one_is_refused_and_deleted(
    uploads: UploadService,
) -> None:
    offer = upload(uploads, "image/jpeg", images.JPEG)

    with pytest.raises(UploadContentMismatch) as refused:
        uploads.verify(offer.key, "image/png", owner_ref=OWNER)

    assert refused.value.params["reason"] == "type"
    assert keys(uploads.bucket) == set()


def test_an_object_stored_with_another_content_type_is_refused_and_deleted(
    uploads: UploadService,
) -> None:
    offer = upload(uploads, "image/jpeg", images.JPEG, stored_type="text/html")

    with pytest.raises(UploadContentMismatch):
        uploads.verify(offer.key, "image/jpeg", owner_ref=OWNER)
    assert keys(uploads.bucket) == set()


def test_an_object_over_the_cap_is_refused_and_deleted(uploads: UploadService) -> None:
    offer = upload(uploads, "image/jpeg", images.JPEG)
    uploads.bucket.client.put_object(  # what S3 would refuse, and moto does not
        Bucket=uploads.bucket.name, Key=offer.key, ContentType="image/jpeg",
        Body=images.padded(images.JPEG, 10 * MiB + 1), Metadata={"owner": OWNER},
    )  # fmt: skip

    with pytest.raises(UploadTooLarge):
        uploads.verify(offer.key, "image/jpeg", owner_ref=OWNER)
    assert keys(uploads.bucket) == set()


def test_an_empty_object_is_refused_and_deleted(uploads: UploadService) -> None:
    offer = upload(uploads, "image/jpeg", b"")

    with pytest.raises(UploadEmpty):
        uploads.verify(offer.key, "image/jpeg", owner_ref=OWNER)
    assert keys(uploads.bucket) == set()


def test_a_declared_type_outside_the_allowlist_is_refused(uploads: UploadService) -> None:
    offer = upload(uploads, "image/png", images.PNG)

    with pytest.raises(UploadTypeNotAllowed):
        uploads.verify(offer.key, "image/svg+xml", owner_ref=OWNER)
    assert keys(uploads.bucket) == {offer.key}


def test_someone_elses_upload_is_reported_missing_and_left_alone(uploads: UploadService) -> None:
    offer = upload(uploads, "image/jpeg", images.JPEG, owner="owner:neighbour")

    with pytest.raises(UploadMissing):
        uploads.verify(offer.key, "image/jpeg", owner_ref=OWNER)
    assert keys(uploads.bucket) == {offer.key}


@pytest.mark.parametrize("key", [
    "uploads/workorders/2026/11/" + "a" * 32 + ".jpg",  # never uploaded
    "verified/workorders/2026/11/" + "a" * 32 + ".jpg",  # not an upload
    "uploads/workorders/2026/11/../../../site/index.html",
    "uploads/avatars/2026/11/" + "a" * 32 + ".jpg",
    "index.html", "", "uploads/",
])  # fmt: skip
def test_a_key_that_is_no_upload_is_reported_missing(uploads: UploadService, key: str) -> None:
    with pytest.raises(UploadMissing):
        uploads.verify(key, "image/jpeg", owner_ref=OWNER)


def test_an_object_replaced_while_it_is_checked_is_refused_and_deleted(
    uploads: UploadService, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer = upload(uploads, "image/jpeg", images.JPEG)

    def replaced(*args: Any, **kwargs: Any) -> None:
        raise ObjectChanged("PreconditionFailed", "PreconditionFailed")

    monkeypatch.setattr(uploads.bucket, "copy", replaced)  # S3 would answer 412; moto copies

    with pytest.raises(UploadContentMismatch) as refused:
        uploads.verify(offer.key, "image/jpeg", owner_ref=OWNER)
    assert refused.value.params["reason"] == "changed"
    assert keys(uploads.bucket) == set()


# -- view ------------------------------------------------------------------------------------


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.mark.parametrize("content_type", sorted(images.REAL))
def test_a_view_url_expires_within_five_minutes_and_forces_the_verified_type(
    uploads: UploadService, content_type: str
) -> None:
    photo = uploads.verify(upload(uploads, content_type, images.REAL[content_type]).key,
                           content_type, owner_ref=OWNER)  # fmt: skip

    query = _query(uploads.view_url(photo.key))

    assert int(query["X-Amz-Expires"]) == VIEW_EXPIRY_S <= 300
    assert query["response-content-type"] == content_type
    name = photo.key.rsplit("/", 1)[1]
    assert query["response-content-disposition"] == f'inline; filename="{name}"'
    assert query["response-cache-control"] == "private, max-age=300"


def test_a_download_url_is_an_attachment(uploads: UploadService) -> None:
    photo = uploads.verify(upload(uploads, "image/heic", images.HEIC).key, "image/heic",
                           owner_ref=OWNER)  # fmt: skip

    query = _query(uploads.view_url(photo.key, download=True))

    assert query["response-content-disposition"].startswith('attachment; filename="')
    assert query["response-content-disposition"].endswith('.heic"')


@pytest.mark.parametrize("key", [
    "uploads/workorders/2026/11/" + "a" * 32 + ".jpg",  # unchecked: never shown
    "verified/workorders/2026/11/" + "a" * 32 + ".svg",
    "site/index.html",
])  # fmt: skip
def test_only_a_verified_photo_gets_a_view_url(uploads: UploadService, key: str) -> None:
    with pytest.raises(ValueError):
        uploads.view_url(key)
