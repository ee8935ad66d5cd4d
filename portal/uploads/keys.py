"""The object keys of uploads: chosen by the server, parsed strictly.

====================================================  =====================================
key                                                   what is there
====================================================  =====================================
``uploads/<purpose>/<yyyy>/<mm>/<token>.<ext>``       what a browser POSTed (unchecked);
                                                      expires after a day (bucket lifecycle)
``verified/<purpose>/<yyyy>/<mm>/<token>.<ext>``      a server-side copy of checked bytes;
                                                      the only keys ever shown to anyone
====================================================  =====================================

``<token>`` is 128 random bits in hex, ``<ext>`` the allowlist's extension of
the offered type, ``<yyyy>/<mm>`` the UTC month of the offer. Nothing in a key
comes from the caller but the purpose (one of :data:`PURPOSES`) and the type.
A key that does not parse is treated as no upload at all.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final, Literal

Area = Literal["uploads", "verified"]
INCOMING: Final = "uploads"
VERIFIED: Final = "verified"

PURPOSES = frozenset({"workorders", "publishing"})
"""What uploads are for: photos of a repair (owners, staff), images of a notice (staff)."""

INCOMING_EXPIRY_DAYS = 1
"""Unverified uploads are deleted by the bucket's lifecycle after this many days."""

_KEY = re.compile(
    r"(?P<area>uploads|verified)/(?P<purpose>[a-z]+)/(?P<year>[0-9]{4})/(?P<month>0[1-9]|1[0-2])/"
    r"(?P<token>[0-9a-f]{32})\.(?P<extension>[a-z]{3,4})"
)


def incoming_pattern(purpose: str) -> str:
    """The JSON-schema pattern of a key this module offers for ``purpose`` (for API models)."""
    return rf"^{INCOMING}/{purpose}/[0-9]{{4}}/(0[1-9]|1[0-2])/[0-9a-f]{{32}}\.[a-z]{{3,4}}$"


@dataclass(frozen=True)
class UploadKey:
    area: Area
    purpose: str
    year: int
    month: int
    token: str
    extension: str

    def __str__(self) -> str:
        return (f"{self.area}/{self.purpose}/{self.year:04d}/{self.month:02d}/"
                f"{self.token}.{self.extension}")  # fmt: skip

    @property
    def filename(self) -> str:
        """``<token>.<ext>``: the name a download gets (nothing the uploader chose)."""
        return f"{self.token}.{self.extension}"

    def verified(self) -> UploadKey:
        """Where the checked copy of this upload lives."""
        return replace(self, area=VERIFIED)


def new_key(purpose: str, extension: str, now: datetime) -> UploadKey:
    """A fresh incoming key (``ValueError`` for a purpose not in :data:`PURPOSES`)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown upload purpose {purpose!r}; one of {sorted(PURPOSES)}")
    month = now.astimezone(UTC)
    return UploadKey(INCOMING, purpose, month.year, month.month, secrets.token_hex(16), extension)


def parse_key(key: str) -> UploadKey | None:
    """The parts of a key this module made, or None for anything else."""
    m = _KEY.fullmatch(key)
    if m is None or m["purpose"] not in PURPOSES:
        return None
    area: Area = INCOMING if m["area"] == INCOMING else VERIFIED
    return UploadKey(area, m["purpose"], int(m["year"]), int(m["month"]), m["token"],
                     m["extension"])  # fmt: skip
