"""The upload errors: stable codes, messages in ``site/translations/<lang>/errors.yaml``.

All are :class:`~portal.errors.InvalidInput` (HTTP 400): each is about what the
caller sent or asked for. A photo that is not the caller's is reported as
missing, so nobody learns that someone else's upload exists.
"""

from __future__ import annotations

from portal.errors import InvalidInput, NotFound


class UploadTypeNotAllowed(InvalidInput):
    """The content type is not in the allowlist (``portal.uploads.types``)."""

    code = "upload_type_not_allowed"


class UploadTooLarge(InvalidInput):
    """Bigger than the type's cap (``max_mb`` in the message)."""

    code = "upload_too_large"


class UploadEmpty(InvalidInput):
    """Zero bytes."""

    code = "upload_empty"


class UploadMissing(NotFound):
    """No such upload for this caller: never uploaded, expired, already used, or not theirs."""

    code = "upload_missing"


class UploadContentMismatch(InvalidInput):
    """The bytes are not what the declared type says, or carry markup or an archive.

    ``reason`` (not shown to the user; logged and tested): ``type``, ``signature``,
    ``markup``, ``archive``, ``document`` or ``changed``.
    """

    code = "upload_content_mismatch"


ERROR_CODES: tuple[str, ...] = (
    UploadTypeNotAllowed.code,
    UploadTooLarge.code,
    UploadEmpty.code,
    UploadMissing.code,
    UploadContentMismatch.code,
)
"""Every code the upload service raises: each has a message in every language."""
