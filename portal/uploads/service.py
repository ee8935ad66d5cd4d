"""The upload service: hand out presigned POSTs, verify what arrived, hand out short GETs.

The flow a route drives (a work order's photos, a notice's images)::

    offer = uploads.offer("workorders", owner_ref, "image/jpeg", size)   # → the browser
    # the browser POSTs the file to offer.url with offer.fields (+ the file last)
    photo = uploads.verify(offer.key, "image/jpeg", owner_ref=owner_ref) # before attaching
    url = uploads.view_url(photo.key)                                    # to show it

:meth:`UploadService.offer` signs a policy for exactly one object: the key the
server chose (``uploads/<purpose>/<yyyy>/<mm>/<random>.<ext>``), the exact
``Content-Type`` of an allowlisted type, a length of 1 byte to the type's cap,
the caller's reference as ``x-amz-meta-owner``, a ``204`` answer, for
:data:`POST_EXPIRY_S` seconds (S3 enforces all of it; moto does not, so the
tests read the policy document itself).

:meth:`UploadService.verify` checks the object (HEAD: owner, type, size; then
the bytes, see :mod:`portal.uploads.inspect`), refuses and deletes it if
anything is wrong, and otherwise copies exactly the version it checked
(``If-Match`` on the reads, ``x-amz-copy-source-if-match`` on the copy) to
``verified/...``, then deletes the upload. The presigned POST stays valid for
a few minutes after the check, so the uploader could replace the object; the
copy is what was checked, and only ``verified/`` keys are ever shown.
Verifying again after success returns the same photo (a retried request).

:meth:`UploadService.view_url` signs a GET of a verified key for
:data:`VIEW_EXPIRY_S` seconds, forcing the verified ``Content-Type`` (from the
key's extension, through the allowlist) and a ``Content-Disposition`` whose
file name is the server's own ``<random>.<ext>``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from portal.clock import Clock
from portal.store.errors import ObjectChanged, ObjectMissing
from portal.store.objects import Bucket, ObjectHead
from portal.uploads import inspect
from portal.uploads.errors import (
    UploadContentMismatch,
    UploadEmpty,
    UploadMissing,
    UploadTooLarge,
    UploadTypeNotAllowed,
)
from portal.uploads.keys import INCOMING, VERIFIED, UploadKey, new_key, parse_key
from portal.uploads.types import ImageType, by_content_type, by_extension, names

logger = logging.getLogger(__name__)

POST_EXPIRY_S = 300
"""How long a presigned POST may be used: at most 5 minutes."""
VIEW_EXPIRY_S = 300
"""How long a presigned GET may be used: at most 5 minutes."""

OWNER_META = "owner"
"""``x-amz-meta-owner``: who was offered the upload (bound by the policy, checked on verify)."""
PURPOSE_META = "purpose"
VIEW_CACHE_CONTROL = "private, max-age=300"

_OWNER_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._-]{0,127}")
"""ASCII only: it travels as an HTTP header (S3 user metadata)."""


@dataclass(frozen=True)
class PresignedPost:
    """What the browser needs to upload one photo: POST ``fields`` + the file to ``url``."""

    url: str
    fields: dict[str, str]
    """Every form field, in order, before the file (which must be the last field)."""
    key: str
    content_type: str
    max_bytes: int
    expires_in: int


@dataclass(frozen=True)
class VerifiedPhoto:
    """A checked photo: what a work order (or a notice) stores."""

    key: str
    """A ``verified/...`` key: give it to :meth:`UploadService.view_url`."""
    content_type: str
    size: int
    purpose: str
    owner_ref: str


def _check_owner_ref(owner_ref: str) -> str:
    if not _OWNER_REF.fullmatch(owner_ref):
        raise ValueError(f"an owner reference is 1-128 ASCII letters, digits or :._- ({owner_ref!r})")
    return owner_ref


def allowed_type(content_type: str) -> ImageType:
    """The allowlisted type, or :class:`UploadTypeNotAllowed` (naming the allowed ones)."""
    image = by_content_type(content_type)
    if image is None:
        raise UploadTypeNotAllowed(types=names())
    return image


class UploadService:
    """Photos and images uploaded straight to S3 (see the module for the flow)."""

    def __init__(self, bucket: Bucket, clock: Clock) -> None:
        self.bucket, self.clock = bucket, clock

    # -- offer ----------------------------------------------------------------------------

    def offer(self, purpose: str, owner_ref: str, content_type: str, size: int) -> PresignedPost:
        """A presigned POST for one photo of ``content_type`` and ``size`` bytes.

        ``purpose`` is one of :data:`portal.uploads.keys.PURPOSES` and ``owner_ref`` who
        asks (``owner:<id>``, ``staff:<username>``): both are the caller's code, not the
        request's (``ValueError`` if malformed). :class:`UploadTypeNotAllowed`,
        :class:`UploadEmpty`, :class:`UploadTooLarge` for what the request declared.
        """
        _check_owner_ref(owner_ref)
        image = allowed_type(content_type)
        if size < 1:
            raise UploadEmpty()
        if size > image.max_bytes:
            raise UploadTooLarge(max_mb=image.max_mb)
        key = str(new_key(purpose, image.extension, self.clock()))
        fields = {
            "Content-Type": image.content_type,
            f"x-amz-meta-{OWNER_META}": owner_ref,
            f"x-amz-meta-{PURPOSE_META}": purpose,
            "success_action_status": "204",
        }
        conditions: list[Any] = [
            ["eq", "$Content-Type", image.content_type],
            ["content-length-range", 1, image.max_bytes],
            ["eq", f"$x-amz-meta-{OWNER_META}", owner_ref],
            ["eq", f"$x-amz-meta-{PURPOSE_META}", purpose],
            {"success_action_status": "204"},
        ]
        form = self.bucket.presigned_post(
            key, fields=fields, conditions=conditions, expires_in=POST_EXPIRY_S
        )
        return PresignedPost(url=form.url, fields=dict(form.fields), key=key,
                             content_type=image.content_type, max_bytes=image.max_bytes,
                             expires_in=POST_EXPIRY_S)  # fmt: skip

    # -- verify ---------------------------------------------------------------------------

    def verify(self, key: str, declared_type: str, *, owner_ref: str) -> VerifiedPhoto:
        """Check the upload at ``key`` (offered to ``owner_ref`` as ``declared_type``) and
        return the verified photo; a refused upload is deleted.

        :class:`UploadTypeNotAllowed` (declared type), :class:`UploadMissing` (no such
        upload of this caller's), :class:`UploadTooLarge`/:class:`UploadEmpty`,
        :class:`UploadContentMismatch` (the bytes, see :mod:`portal.uploads.inspect`).
        """
        _check_owner_ref(owner_ref)
        image = allowed_type(declared_type)
        parsed = parse_key(key)
        if parsed is None or parsed.area != INCOMING:
            raise UploadMissing()
        head = self.bucket.head(key)
        if head is None:
            return self._verified_before(parsed, image, owner_ref)
        if head.metadata.get(OWNER_META) != owner_ref:
            logger.info("upload %s verified by someone else: refused (left in place)", key)
            raise UploadMissing()
        self._check_head(parsed, head, image)
        first, last = self._windows(head)
        reason = inspect.refusal(image, first, last)
        if reason is not None:
            self._refuse(key, reason)
        target = parsed.verified()
        try:
            self.bucket.copy(
                key, str(target), if_match=head.etag, content_type=image.content_type,
                metadata={OWNER_META: owner_ref, PURPOSE_META: parsed.purpose},
                content_disposition=_disposition("inline", target),
                cache_control=VIEW_CACHE_CONTROL,
            )  # fmt: skip
        except (ObjectChanged, ObjectMissing):
            self._refuse(key, "changed")
        self.bucket.delete(key)
        logger.info("upload %s verified as %s (%d bytes)", key, image.content_type, head.size)
        return VerifiedPhoto(str(target), image.content_type, head.size, parsed.purpose,
                             owner_ref)  # fmt: skip

    def verify_offered(self, key: str, purpose: str, *, owner_ref: str) -> VerifiedPhoto:
        """:meth:`verify` for a key this service offered for ``purpose``: the declared type
        is the one the offer chose, which the key's extension records."""
        parsed = parse_key(key)
        image = by_extension(parsed.extension) if parsed is not None else None
        if parsed is None or image is None or parsed.purpose != purpose:
            raise UploadMissing()
        return self.verify(key, image.content_type, owner_ref=owner_ref)

    def _verified_before(
        self, parsed: UploadKey, image: ImageType, owner_ref: str
    ) -> VerifiedPhoto:
        """The photo this upload became when it was verified already, or UploadMissing."""
        target = parsed.verified()
        head = self.bucket.head(str(target))
        if (head is None or head.metadata.get(OWNER_META) != owner_ref
                or parsed.extension != image.extension):  # fmt: skip
            raise UploadMissing()
        return VerifiedPhoto(str(target), image.content_type, head.size, parsed.purpose,
                             owner_ref)  # fmt: skip

    def _check_head(self, parsed: UploadKey, head: ObjectHead, image: ImageType) -> None:
        """What S3 says about the object: the declared type is the offered one, the size fits."""
        if parsed.extension != image.extension or head.content_type.lower() != image.content_type:
            self._refuse(head.key, "type")
        if head.size < 1:
            self.bucket.delete(head.key)
            raise UploadEmpty()
        if head.size > image.max_bytes:
            self.bucket.delete(head.key)
            logger.info("upload %s refused: %d bytes, over the cap", head.key, head.size)
            raise UploadTooLarge(max_mb=image.max_mb)

    def _windows(self, head: ObjectHead) -> tuple[bytes, bytes]:
        """The first and last bytes of exactly the version ``head`` describes."""
        size, key = head.size, head.key
        try:
            if size <= inspect.HEAD_BYTES + inspect.TAIL_BYTES:
                whole = self.bucket.read(key, 0, size - 1, if_match=head.etag)
                return whole, whole
            first = self.bucket.read(key, 0, inspect.HEAD_BYTES - 1, if_match=head.etag)
            last = self.bucket.read(key, size - inspect.TAIL_BYTES, size - 1, if_match=head.etag)
        except (ObjectChanged, ObjectMissing):
            self._refuse(key, "changed")
        return first, last

    def _refuse(self, key: str, reason: str) -> NoReturn:
        """Delete the upload and raise :class:`UploadContentMismatch` (never returns)."""
        logger.info("upload %s refused (%s): deleted", key, reason)
        self.bucket.delete(key)
        raise UploadContentMismatch(reason=reason)

    # -- view -----------------------------------------------------------------------------

    def view_url(self, key: str, *, download: bool = False) -> str:
        """A GET URL for a verified photo, valid :data:`VIEW_EXPIRY_S` seconds.

        The response's ``Content-Type`` is the verified type (from the key, through the
        allowlist), its ``Content-Disposition`` ``inline`` (or ``attachment`` with
        ``download``) with the server's own file name. ``ValueError`` for a key that is
        not a verified photo's: only keys :meth:`verify` returned may be shown.
        """
        parsed = parse_key(key)
        image = by_extension(parsed.extension) if parsed else None
        if parsed is None or parsed.area != VERIFIED or image is None:
            raise ValueError(f"not a verified photo's key: {key!r}")
        return self.bucket.presigned_get(key, expires_in=VIEW_EXPIRY_S, response={
            "ResponseContentType": image.content_type,
            "ResponseContentDisposition": _disposition(
                "attachment" if download else "inline", parsed),
            "ResponseCacheControl": VIEW_CACHE_CONTROL,
        })  # fmt: skip


def _disposition(kind: str, key: UploadKey) -> str:
    """``inline; filename="<hex>.<ext>"``: the name is the server's, ASCII, nothing to escape."""
    return f'{kind}; filename="{key.filename}"'
