"""Photos on an order: offered as a presigned POST, checked when the order is submitted,
shown through short-lived links; what is not a real photo of the caller's is refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from portal.store.objects import Bucket
from tests.support import images
from tests.support.auth import AuthActions, Caller
from tests.support.workorders import ORDER


def _upload(caller: Caller, bucket: Bucket, data: bytes, content_type: str = "image/jpeg") -> str:
    offer = caller.post("/api/orders/photos", {"content_type": content_type, "size": len(data)})
    assert offer.status_code == 201, offer.json
    fields = offer.json["fields"]
    bucket.client.put_object(  # where the browser's form POST would put it
        Bucket=bucket.name, Key=offer.json["key"], Body=data, ContentType=fields["Content-Type"],
        Metadata={"owner": fields["x-amz-meta-owner"], "purpose": fields["x-amz-meta-purpose"]},
    )  # fmt: skip
    return str(offer.json["key"])


def test_an_owner_attaches_a_photo_and_staff_see_it_through_a_short_lived_link(
    auth: AuthActions, uploads_bucket: Bucket
) -> None:
    owner = auth.owner("13800138000")
    key = _upload(owner, uploads_bucket, images.JPEG)
    made = owner.post("/api/orders", {**ORDER, "photos": [key]})
    assert made.status_code == 201, made.json
    assert made.json["photos"] == 1
    desk = auth.staff("zhao.desk", "front_desk", estates=("lanting",))
    detail = desk.get(f"/api/orders/lanting/{made.json['number']}").json
    (url,) = detail["photo_urls"]
    query = parse_qs(urlsplit(url).query)
    assert "/verified/workorders/" in url and int(query["X-Amz-Expires"][0]) <= 300


def test_an_svg_sent_as_a_jpeg_is_refused_and_no_order_is_made(
    auth: AuthActions, uploads_bucket: Bucket
) -> None:
    owner = auth.owner("13800138000")
    key = _upload(owner, uploads_bucket, images.SVG)
    res = owner.post("/api/orders", {**ORDER, "photos": [key]})
    assert res.status_code == 400 and res.json["error"]["code"] == "upload_content_mismatch"
    assert owner.get("/api/orders/mine").json["items"] == []


def test_a_photo_uploaded_by_someone_else_cannot_be_attached(
    auth: AuthActions, uploads_bucket: Bucket
) -> None:
    owner = auth.owner("13800138000")
    other = auth.owner("13900139000", "李雷", ("lanting", "3", "1-0101"))
    key = _upload(other, uploads_bucket, images.PNG, "image/png")
    res = owner.post("/api/orders", {**ORDER, "photos": [key]})
    assert res.status_code == 404 and res.json["error"]["code"] == "upload_missing"


def test_a_type_outside_the_allowlist_gets_no_upload_form(auth: AuthActions, uploads_bucket: Any) -> None:
    owner = auth.owner("13800138000")
    res = owner.post("/api/orders/photos", {"content_type": "image/svg+xml", "size": 100})
    assert res.status_code == 400
