"""The rules an account's fields must meet, and who may see an account."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from portal.accounts.identity import Identity
from portal.accounts.policy import ADMIN, ASSIGNABLE_ROLES, Target, can
from portal.errors import InvalidInput, NotFound

if TYPE_CHECKING:  # the work-order models read the patterns here: a cold start answering a
    # work-order request does not build the account's classes (bench/cold_start.py)
    from portal.accounts.staff.model import StaffAccount

USERNAME_RE = re.compile(r"^[a-z0-9._-]{3,32}$")
USERNAME_PATTERN = r"^\s*[A-Za-z0-9._-]{3,32}\s*$"
"""What :func:`validate_username` accepts before it trims and lower-cases (API documents)."""
NAME_MAX = 40

EstateMap = Mapping[str, frozenset[str]]
"""Estate slug → the codes of its buildings."""


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def validate_username(raw: str) -> str:
    username = normalise_username(raw)
    if not USERNAME_RE.match(username):
        raise InvalidInput("invalid_username")
    return username


def validate_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > NAME_MAX:
        raise InvalidInput("invalid_staff_name", max=NAME_MAX)
    return name


def validate_roles(raw: Iterable[str]) -> frozenset[str]:
    roles = frozenset(r.strip() for r in raw)
    if not roles:
        raise InvalidInput("roles_required")
    for role in sorted(roles):
        if role not in ASSIGNABLE_ROLES:
            raise InvalidInput("invalid_role", role=role)
    return roles


def validate_scope(
    roles: frozenset[str],
    estates: Iterable[str],
    buildings: Mapping[str, Iterable[str]],
    known: Callable[[], EstateMap],
) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Check estates and buildings against the company; admin-only accounts need none."""
    chosen = frozenset(e.strip() for e in estates)
    scoped = {e.strip(): frozenset(b.strip() for b in bs) for e, bs in buildings.items()}
    scoped = {e: bs for e, bs in scoped.items() if bs}
    if not chosen and roles - {ADMIN}:
        raise InvalidInput("staff_estates_required")
    if chosen or scoped:
        company = known()
        for estate in sorted(chosen | scoped.keys()):
            if estate not in company:
                raise NotFound("unknown_estate", estate=estate)
        for estate, codes in sorted(scoped.items()):
            if estate not in chosen:
                raise InvalidInput("buildings_outside_estates", estate=estate)
            for code in sorted(codes):
                if code not in company[estate]:
                    raise NotFound("unknown_building", estate=estate, building=code)
    return chosen, scoped


def visible_to(identity: Identity, account: StaffAccount) -> bool:
    """May ``identity`` (with ``staff.read``) see ``account``? Admin: all; managers: their estates."""
    if ADMIN in identity.roles:
        return True
    return any(can(identity, "staff.read", Target(estate=e)) for e in account.estates)
