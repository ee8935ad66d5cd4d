"""Request fields several resources share, with the rules the API document states for them.

The document must say exactly what the API accepts: the fuzz test (``tests/fuzz``)
sends whatever the document calls valid and fails on a 400 for it. Where the domain
checks a rule itself (so its error keeps its own code and message, ``password_too_short``),
the rule is written into the document only (``json_schema_extra``), not into pydantic.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH

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
