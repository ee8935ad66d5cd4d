"""Domain errors.

The core raises these; the HTTP layer maps each class to a status code in one
place (``functions.errors``). Every error has a stable machine ``code`` and its
human message comes from the translation catalogs (``errors.<code>``), so the
Python code never hard-codes user-facing text.
"""

from __future__ import annotations

from typing import Any, ClassVar


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
