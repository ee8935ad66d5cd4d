"""Images in a staff body: the upload is checked like a work-order photo when the document is
saved, its key becomes a site path, and the rebuild puts the image into the site, so the
published page shows it from its own origin."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from portal.errors import NotFound
from portal.publishing.clockwork import SiteRebuilder
from portal.publishing.media import MediaCopier, verify_images
from portal.publishing.resize import PHONE_WIDTH, SUFFIX, ImageTooLarge, for_phones
from portal.publishing.workflow import Publishing
from portal.settings import Settings
from portal.tasks.dispatch import SweepOnly
from portal.tasks.queue import TaskQueue
from portal.uploads.service import UploadService
from portal.wiring import Services
from tests.support import images
from tests.support.publishing import NOW, notice, rebuilder, writer


def _staff(services: Services, uploads: UploadService) -> Publishing:
    return Publishing(services.publishing_repo, services.audit, TaskQueue(SweepOnly(), services.clock),
                      services.estates, services.clock,
                      lambda content, who: verify_images(content, lambda: uploads, who))  # fmt: skip


def _uploaded(uploads: UploadService, owner: str, data: bytes = images.JPEG) -> str:
    offer = uploads.offer("publishing", owner, "image/jpeg", len(data))
    uploads.bucket.client.put_object(
        Bucket=uploads.bucket.name, Key=offer.key, Body=data, ContentType="image/jpeg",
        Metadata={"owner": owner, "purpose": "publishing"})  # fmt: skip
    return offer.key


def test_an_image_is_verified_on_save_and_the_published_page_shows_it_from_the_site(
    services: Services, uploads: UploadService, settings: Settings, tmp_path: Path
) -> None:
    p = _staff(services, uploads)
    key = _uploaded(uploads, "staff:p.butler")
    d = p.create(writer(), notice("带图片的公告", body=f"停水范围见图：\n\n![范围]({key})"))
    body = d.content.body  # type: ignore[union-attr]
    tail = key.removeprefix("uploads/").replace(".jpg", f"{SUFFIX}.jpg")  # its phone copy
    assert f"![范围](/media/{tail})" in body and "uploads/" not in body
    d = p.publish(writer(), d.doc_id, d.version)
    base = rebuilder(services, settings, tmp_path)
    r = SiteRebuilder(base.settings, services.publishing_repo, services.clock,
                      media=MediaCopier(lambda: uploads.bucket))  # fmt: skip
    r.rebuild(NOW)
    page = (base.settings.build_dir / f"notices/{d.doc_id}/index.html").read_text(encoding="utf-8")
    assert f'src="/media/{tail}"' in page
    with Image.open(base.settings.build_dir / "media" / tail) as shown:
        assert (shown.format, shown.size) == ("JPEG", (8, 8))  # small ones keep their size


def test_a_large_png_is_shown_as_a_jpeg_at_most_1080_pixels_wide_and_the_original_is_kept(
    services: Services, uploads: UploadService, settings: Settings, tmp_path: Path
) -> None:
    big = images.big_png(2000, 1400)
    offer = uploads.offer("publishing", "staff:p.butler", "image/png", len(big))
    uploads.bucket.client.put_object(
        Bucket=uploads.bucket.name, Key=offer.key, Body=big, ContentType="image/png",
        Metadata={"owner": "staff:p.butler", "purpose": "publishing"})  # fmt: skip
    p = _staff(services, uploads)
    d = p.create(writer(), notice("大图公告", body=f"![平面图]({offer.key})"))
    tail = offer.key.removeprefix("uploads/").replace(".png", f"{SUFFIX}.jpg")
    assert f"(/media/{tail})" in d.content.body  # type: ignore[union-attr]
    assert uploads.bucket.head("verified/" + offer.key.removeprefix("uploads/")) is not None
    again = p.create(writer(), notice("同一张图", body=f"![平面图]({offer.key})"))
    assert f"(/media/{tail})" in again.content.body  # type: ignore[union-attr]  # the same copy
    p.publish(writer(), d.doc_id, d.version)
    base = rebuilder(services, settings, tmp_path)
    SiteRebuilder(base.settings, services.publishing_repo, services.clock,
                  media=MediaCopier(lambda: uploads.bucket)).rebuild(NOW)  # fmt: skip
    placed = base.settings.build_dir / "media" / tail
    with Image.open(placed) as shown:
        assert shown.format == "JPEG" and shown.size == (PHONE_WIDTH, 756)
    assert placed.stat().st_size < len(big) / 4


def test_a_transparent_image_becomes_a_webp_and_a_bomb_is_refused() -> None:
    from io import BytesIO

    clear = BytesIO()
    Image.new("RGBA", (1500, 300), (0, 0, 0, 0)).save(clear, "PNG")
    phone = for_phones(clear.getvalue())
    assert phone is not None and (phone.content_type, phone.width, phone.height) == (
        "image/webp", PHONE_WIDTH, 216)
    huge = BytesIO()
    Image.new("L", (8000, 6000)).save(huge, "PNG")
    with pytest.raises(ImageTooLarge):
        for_phones(huge.getvalue())
    assert for_phones(images.HEIC) is None  # not decodable here: the original is shown


def test_someone_elses_upload_in_a_body_is_not_found(
    services: Services, uploads: UploadService
) -> None:
    key = _uploaded(uploads, "staff:p.someone")
    with pytest.raises(NotFound, match="publishing_image_missing"):
        _staff(services, uploads).create(writer(), notice(body=f"![]({key})"))
