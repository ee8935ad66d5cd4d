"""Domain errors.

The core raises these; the HTTP layer maps each class to a status code in one
place (``functions.errors``). Every error has a stable machine ``code`` and its
human message comes from the translation catalogs (``errors.<code>``), so the
Python code never hard-codes user-facing text.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from portal.i18n import DEFAULT_LANG, catalog, translate


class DomainError(Exception):
    code: ClassVar[str] = "error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or type(self).code  # type: ignore[misc]
        self.params = params
        super().__init__(self.code)


class InvalidInput(DomainError):
    code = "invalid_input"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class RateLimited(DomainError):
    code = "rate_limited"


class Unavailable(DomainError):
    code = "unavailable"


# -- the words for an error: one function for the HTTP layer and the command line ----------


class _BlankMissing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def has_message(code: str) -> bool:
    return f"errors.{code}" in catalog(DEFAULT_LANG)


def message_code(code: str, fallbacks: Sequence[str] = ()) -> str:
    """The first of ``code`` and its ``fallbacks`` that the catalogs have a message for."""
    return next((c for c in (code, *fallbacks) if has_message(c)), "error")


def render(code: str, lang: str, params: Mapping[str, Any] | None = None,
           fallbacks: Sequence[str] = ()) -> str:  # fmt: skip
    """The message ``errors.<code>`` in ``lang`` (or of the first fallback that has one).

    Placeholders without a value in ``params`` render empty.
    """
    template = translate(f"errors.{message_code(code, fallbacks)}", lang)
    try:
        return string.Formatter().vformat(template, (), _BlankMissing(params or {}))
    except (AttributeError, IndexError, KeyError, ValueError):
        return template


def class_codes(exc: DomainError) -> list[str]:
    """The generic codes of ``exc``'s classes, most specific first (message fallbacks)."""
    return [c.code for c in type(exc).__mro__ if isinstance(c, type) and issubclass(c, DomainError)]


def describe(exc: DomainError, lang: str = DEFAULT_LANG) -> str:
    """What went wrong, in ``lang``, from the catalogs (for the API and the command line)."""
    return render(exc.code, lang, exc.params, class_codes(exc))
