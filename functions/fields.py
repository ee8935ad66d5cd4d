"""Request fields several resources share, with the rules the API document states for them.

The document must say exactly what the API accepts: the fuzz test (``tests/fuzz``)
sends whatever the document calls valid and fails on a 400 for it. Where the domain
checks a rule itself (so its error keeps its own code and message, ``password_too_short``),
the rule is written into the document only (``json_schema_extra``), not into pydantic.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import CoreSchema, core_schema
from werkzeug.datastructures import FileStorage as UploadedFile

from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH

SLUG = r"^[a-z0-9][a-z0-9-]{0,39}$"
"""An estate in a path or query."""
CODE = r"^[0-9A-Za-z-]{1,20}$"
"""A building or room code in a path (``2``, ``1-1503``)."""
SOMETHING = r"[^\s\x00-\x1f\x7f-\x9f]"
"""Text that is more than spaces and control characters (the domain drops the latter and
trims the former, then requires something left)."""
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _json_integer(value: Any) -> Any:
    # JSON's integers (``306`` and ``306.0`` alike), never a string or a boolean: pydantic's
    # lax int would take ``"306"`` and ``true``, StrictInt would refuse ``306.0``.
    if isinstance(value, bool | str | bytes):
        raise ValueError("not a JSON integer")
    return value


JSON_INTEGER = BeforeValidator(_json_integer)
"""An ``int`` as JSON schema means it (``type: integer``): ``Annotated[int, Field(ge=…),
JSON_INTEGER]``, the bounds first so the document states them."""


def _iso_date(value: Any) -> Any:
    # ``format: date`` (RFC 3339 full-date) only: pydantic's lax date would also take a Unix
    # time (``"0"``) or a datetime.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("not a date (YYYY-MM-DD)")
    return date.fromisoformat(value)


def no_default(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of an optional query parameter: absent means the default, and
    the document says nothing of a ``null`` that cannot be sent in a query."""
    schema.pop("default", None)


IsoDate = Annotated[date, BeforeValidator(_iso_date),
                    WithJsonSchema({"type": "string", "format": "date"})]  # fmt: skip
"""A calendar date, ``2026-11-22``."""

PASSWORD_RULES = (
    f"{MIN_LENGTH}–{MAX_LENGTH} characters, not only digits, "
    "at least 4 different characters, not a common password, not containing the username."
)
"""What a new password must be (``portal.accounts.passwords``): the last three rules have no
JSON-schema form, so the document states them here and marks the field ``format: password``."""


def new_password_field(description: str) -> Any:
    """A new password: its length rules in the document, every rule in the description."""
    return Field(
        min_length=1,
        max_length=1024,
        description=f"{description} {PASSWORD_RULES}",
        json_schema_extra={"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH, "format": "password"},
    )


class FileStorage(UploadedFile):
    """An uploaded file in a form (``multipart/form-data``): documented as binary, passed as is.

    The same type as flask-openapi3's ``FileStorage``, without importing flask-openapi3 at
    run time (:mod:`functions.routing`).
    """

    @classmethod
    def __get_pydantic_json_schema__(cls, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
        return {"format": "binary", "type": "string"}

    @classmethod
    def __get_pydantic_core_schema__(cls, *_args: Any, **_kwargs: Any) -> CoreSchema:
        return core_schema.with_info_plain_validator_function(cls.validate)

    @classmethod
    def validate(cls, value: UploadedFile, *_args: Any, **_kwargs: Any) -> UploadedFile:
        return value
