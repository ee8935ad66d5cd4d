"""Offering an upload: the presigned POST's policy document, read back and checked as S3 will.

moto does not enforce presigned-POST policies, so these tests decode the policy the
browser will send (the base64 ``policy`` field) and check every condition in it.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from portal.errors import describe
from portal.i18n import LANGS, catalog
from portal.uploads.errors import (
    ERROR_CODES,
    UploadEmpty,
    UploadTooLarge,
    UploadTypeNotAllowed,
)
from portal.uploads.service import POST_EXPIRY_S, PresignedPost, UploadService
from portal.uploads.types import ALLOWED, ImageType, MiB

OWNER = "owner:0f3a9c"
FIVE_MINUTES = timedelta(minutes=5)
SIGNATURE_FIELDS = {"x-amz-algorithm", "x-amz-credential", "x-amz-date"}
"""What SigV4 adds to every policy."""
SESSION_TOKEN = "x-amz-security-token"
"""Also added with temporary credentials (a Lambda's role; the tests' environment)."""


def policy(offer: PresignedPost) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(base64.b64decode(offer.fields["policy"]))
    return document


def own_conditions(document: dict[str, Any]) -> list[Any]:
    """The conditions but the signature's own (algorithm, credential, date)."""
    return [
        c for c in document["conditions"]
        if not (isinstance(c, dict) and set(c) <= SIGNATURE_FIELDS | {SESSION_TOKEN})
    ]


def test_the_policy_binds_exactly_the_key_type_size_owner_purpose_and_bucket(
    uploads: UploadService,
) -> None:
    offer = uploads.offer("workorders", OWNER, "image/jpeg", 2 * MiB)

    conditions = own_conditions(policy(offer))

    assert sorted(map(json.dumps, conditions)) == sorted(map(json.dumps, [
        ["eq", "$Content-Type", "image/jpeg"],
        ["content-length-range", 1, 10 * MiB],
        ["eq", "$x-amz-meta-owner", OWNER],
        ["eq", "$x-amz-meta-purpose", "workorders"],
        {"success_action_status": "204"},
        {"bucket": uploads.bucket.name},
        {"key": offer.key},  # an exact match: no starts-with, no ${filename}
    ]))  # fmt: skip
    signature = [c for c in policy(offer)["conditions"] if c not in conditions]
    assert {k for c in signature for k in c} - {SESSION_TOKEN} == SIGNATURE_FIELDS


def test_the_policy_expires_within_five_minutes(uploads: UploadService) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    offer = uploads.offer("workorders", OWNER, "image/png", 1000)

    expiration = datetime.fromisoformat(policy(offer)["expiration"].replace("Z", "+00:00"))

    assert offer.expires_in == POST_EXPIRY_S <= 300
    assert before < expiration <= before + FIVE_MINUTES + timedelta(seconds=1)


def test_the_form_fields_satisfy_every_condition_of_the_policy(uploads: UploadService) -> None:
    offer = uploads.offer("publishing", "staff:zhang.wei", "image/webp", 5000)
    fields = offer.fields

    for condition in own_conditions(policy(offer)):
        if isinstance(condition, dict):
            ((name, value),) = condition.items()
            if name != "bucket":
                assert fields[name] == value, name
        elif condition[0] == "eq":
            assert fields[condition[1].removeprefix("$")] == condition[2]
    assert fields["key"] == offer.key
    assert fields["Content-Type"] == offer.content_type == "image/webp"
    assert offer.url.endswith("/" + uploads.bucket.name) or uploads.bucket.name in offer.url


def test_the_server_chooses_the_key_under_the_purpose_and_month_of_the_offer(
    uploads: UploadService,
) -> None:
    first = uploads.offer("workorders", OWNER, "image/jpeg", 10)
    second = uploads.offer("workorders", OWNER, "image/jpeg", 10)

    # the test's clock says 2026-11-22 (UTC)
    assert re.fullmatch(r"uploads/workorders/2026/11/[0-9a-f]{32}\.jpg", first.key)
    assert first.key != second.key


@pytest.mark.parametrize("image", ALLOWED, ids=lambda t: t.extension)
def test_each_allowed_type_gets_its_own_extension_and_cap(
    uploads: UploadService, image: ImageType
) -> None:
    offer = uploads.offer("workorders", OWNER, image.content_type, image.max_bytes)

    assert offer.key.endswith("." + image.extension)
    assert offer.max_bytes == image.max_bytes
    assert ["content-length-range", 1, image.max_bytes] in policy(offer)["conditions"]


@pytest.mark.parametrize("content_type", [
    "image/svg+xml", "text/html", "application/xhtml+xml", "text/xml", "image/gif",
    "application/pdf", "application/zip", "application/octet-stream", "", "image/*",
    "image/jpeg; charset=utf-8", "image/jpg", "image/heif", "image/avif",
])  # fmt: skip
def test_a_type_outside_the_allowlist_is_refused(
    uploads: UploadService, content_type: str
) -> None:
    with pytest.raises(UploadTypeNotAllowed) as refused:
        uploads.offer("workorders", OWNER, content_type, 100)

    assert refused.value.code == "upload_type_not_allowed"
    assert "JPEG / PNG / WebP / HEIC" in describe(refused.value, "zh-CN")


def test_content_types_are_compared_without_regard_to_case(uploads: UploadService) -> None:
    offer = uploads.offer("workorders", OWNER, " Image/JPEG ", 100)

    assert offer.content_type == offer.fields["Content-Type"] == "image/jpeg"


def test_a_size_over_the_cap_is_refused_with_the_cap_in_the_message(
    uploads: UploadService,
) -> None:
    with pytest.raises(UploadTooLarge) as refused:
        uploads.offer("workorders", OWNER, "image/jpeg", 10 * MiB + 1)

    assert refused.value.code == "upload_too_large"
    assert "10 MB" in describe(refused.value, "zh-CN")
    assert "10 MB" in describe(refused.value, "en")


@pytest.mark.parametrize("size", [0, -1])
def test_an_empty_file_is_refused(uploads: UploadService, size: int) -> None:
    with pytest.raises(UploadEmpty):
        uploads.offer("workorders", OWNER, "image/jpeg", size)


@pytest.mark.parametrize("purpose, owner_ref", [
    ("avatars", OWNER), ("../workorders", OWNER), ("workorders", ""),
    ("workorders", "业主:1"), ("workorders", "owner:1\r\nx-amz-acl: public-read"),
    ("workorders", "o" * 129),
])  # fmt: skip
def test_an_unknown_purpose_or_a_malformed_owner_reference_is_a_programming_error(
    uploads: UploadService, purpose: str, owner_ref: str
) -> None:
    with pytest.raises(ValueError):
        uploads.offer(purpose, owner_ref, "image/jpeg", 100)


def test_every_upload_error_has_a_message_in_every_language() -> None:
    for lang in LANGS:
        missing = [c for c in ERROR_CODES if f"errors.{c}" not in catalog(lang)]
        assert missing == [], lang
