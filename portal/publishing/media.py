"""Images in staff bodies: checked like work-order photos, then served by the site itself.

The editor uploads an image with a presigned POST (``POST /api/publishing/images``, the
photo offer's checks) and writes its incoming key into the Markdown
(``![](uploads/publishing/…)``). When the document is saved, every incoming key in it is
verified (:meth:`portal.uploads.service.UploadService.verify_offered`: type, size, the
bytes) as the one who saves it, and rewritten to the site path of the verified copy,
``/media/publishing/<yyyy>/<mm>/<token>-w1080.<jpg|webp>``: the copy resized for phones
(:mod:`portal.publishing.resize`; the original stays in the bucket). A rebuild then puts each image a
published document uses into the build folder under ``media/`` (from the bucket, once),
so pages show images from their own origin (the reading pages' CSP admits only 'self').
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from portal.errors import Conflict, NotFound
from portal.publishing.model import Content, Doc, from_plain, kind_of_content, to_plain
from portal.publishing.resize import PHONE_WIDTH, SUFFIX, ImageTooLarge, for_phones
from portal.store.errors import ObjectChanged, ObjectMissing
from portal.store.objects import Bucket
from portal.uploads.errors import (
    UploadContentMismatch,
    UploadEmpty,
    UploadMissing,
    UploadTooLarge,
    UploadTypeNotAllowed,
)
from portal.uploads.service import UploadService

_TAIL = rf"publishing/[0-9]{{4}}/(?:0[1-9]|1[0-2])/[0-9a-f]{{32}}(?:{SUFFIX})?\.[a-z]{{3,4}}"
INCOMING_REF = re.compile(rf"\buploads/{_TAIL}\b")
MEDIA_REF = re.compile(rf"/media/({_TAIL})\b")
MEDIA_DIR = "media"


def verify_images(content: Content, uploads: Callable[[], UploadService], owner_ref: str) -> Content:
    """``content`` with every incoming image key verified and replaced by its site path;
    ``NotFound("publishing_image_missing")`` for one that is not this person's upload."""
    text = json.dumps(to_plain(content), ensure_ascii=False)
    if not INCOMING_REF.search(text):
        return content

    def verified(m: re.Match[str]) -> str:
        try:
            photo = uploads().verify_offered(m.group(0), "publishing", owner_ref=owner_ref)
        except UploadMissing:
            raise NotFound("publishing_image_missing") from None
        except (UploadContentMismatch, UploadTooLarge, UploadEmpty, UploadTypeNotAllowed):
            raise Conflict("publishing_image_refused") from None
        return "/media/" + phone_copy(uploads().bucket, photo.key).removeprefix("verified/")

    return from_plain(kind_of_content(content), json.loads(INCOMING_REF.sub(verified, text)))


def phone_copy(bucket: Bucket, key: str) -> str:
    """The key of ``key``'s copy resized for phones (:mod:`portal.publishing.resize`), made
    now if it is not there yet; ``key`` itself when the image cannot be decoded."""
    stem, _, _ = key.rpartition(".")
    for ext in ("jpg", "webp"):
        if bucket.head(f"{stem}{SUFFIX}.{ext}") is not None:
            return f"{stem}{SUFFIX}.{ext}"  # saved again: the copy exists
    head = bucket.head(key)
    if head is None:
        raise NotFound("publishing_image_missing")
    try:
        image = for_phones(bucket.read(key, 0, max(head.size - 1, 0), if_match=head.etag))
    except ImageTooLarge:
        raise Conflict("publishing_image_refused") from None
    except (ObjectMissing, ObjectChanged):
        raise NotFound("publishing_image_missing") from None
    if image is None:
        return key
    target = f"{stem}{SUFFIX}.{image.extension}"
    bucket.put(target, image.data, content_type=image.content_type,
               metadata={**head.metadata, "resized": str(PHONE_WIDTH)})  # fmt: skip
    return target


def images_of(docs: Iterable[Doc]) -> set[str]:
    """The verified images (``publishing/…`` tails) the documents use."""
    found: set[str] = set()
    for d in docs:
        found.update(MEDIA_REF.findall(json.dumps(to_plain(d.content), ensure_ascii=False)))
    return found


class MediaCopier:
    """Puts verified images into a build folder (each once; they never change)."""

    def __init__(self, bucket: Callable[[], Bucket]) -> None:
        self.bucket = bucket

    def place(self, out_dir: Path, tails: Iterable[str]) -> list[str]:
        """Copy the images not yet in ``out_dir/media``; the ones that could not be read."""
        missing: list[str] = []
        for tail in sorted(tails):
            target = out_dir / MEDIA_DIR / tail
            if target.exists():
                continue
            key = f"verified/{tail}"
            bucket = self.bucket()
            head = bucket.head(key)
            try:
                if head is None:
                    raise ObjectMissing(key)
                data = bucket.read(key, 0, max(head.size - 1, 0), if_match=head.etag)
            except (ObjectMissing, ObjectChanged):
                missing.append(tail)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        return missing
