"""How deep each (operation, identity) pair is fuzzed: thoroughly where the caller may act.

Every operation is fuzzed as every identity, at one of three depths (:func:`depth`):

- ``full``: every phase (the document's examples, the coverage phase's boundary and
  invalid values, random fuzzing), as the first identity of :data:`COVERAGE_ORDER` that
  may make the call (the matrix's row for the route: public, or the policy lets the
  identity's role do the row's action);
- ``served``: the examples and the random cases, as every other identity that may make the
  call. The coverage phase's cases are about the request's shape: its invalid ones are
  refused by the validation that runs before the view, for every caller alike, and its
  boundary values are the same whoever sends them, so running them once per operation
  covers them (a CI run spent a third of its fuzzing time sending them again as the
  supervisor and the accountant after the admin);
- ``refused``: where the identity may not make the call. A valid
request ends in the same refusal whatever its body, and the request's validation (which
runs before the view, for every caller alike) is covered by the thorough pairs; those
pairs run the examples and a few random cases, which is enough to prove the refusal is a
documented 401/403/404 and never a 5xx. The thorough run had spent most of the suite's
fuzzing time generating hundreds of boundary cases for callers that were refused each time.
"""

from __future__ import annotations

import re
from functools import cache

from portal.accounts.policy import allowed_roles
from tests.matrix.routes import ROUTES
from tests.matrix.rows import Needs

ROLE_OF: dict[str, str | None] = {"anonymous": None, "admin": "admin", "staff": "supervisor",
                                  "finance": "finance", "owner": "owner"}  # fmt: skip
"""The fuzz identities (``conftest.IDENTITIES``) and the role each signs in with."""
KIND_OF: dict[str, str | None] = {"anonymous": None, "admin": "staff", "staff": "staff",
                                  "finance": "staff", "owner": "owner"}  # fmt: skip

_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@cache
def _access() -> dict[tuple[str, str], list[object]]:
    """(method, OpenAPI path) → the access rules of the matrix's rows for that route."""
    out: dict[tuple[str, str], list[object]] = {}
    for row in ROUTES:
        out.setdefault((row.method, _PARAM.sub(r"{\1}", row.path)), []).append(row.access)
    return out


COVERAGE_ORDER = ("admin", "staff", "finance", "owner", "anonymous")
"""Who runs an operation's coverage phase: the first of these that may make the call (the
company-wide admin first, whose requests reach furthest into the views)."""

Depth = str
FULL, SERVED, REFUSED = "full", "served", "refused"


def depth(method: str, path: str, who: str) -> Depth:
    """How deep ``who`` is fuzzed on ``method path``: ``full``, ``served`` or ``refused``."""
    if not thorough(method, path, who):
        return REFUSED
    first = next(w for w in COVERAGE_ORDER if thorough(method, path, w))
    return FULL if who == first else SERVED


def thorough(method: str, path: str, who: str) -> bool:
    """Whether ``who`` may call ``method path`` (so it is fuzzed in every phase)."""
    rules = _access().get((method.upper(), path))
    if not rules:
        return True  # no row (the matrix test fails on it): fuzz it fully meanwhile
    role, kind = ROLE_OF[who], KIND_OF[who]
    for rule in rules:
        if not isinstance(rule, Needs):
            return True  # public
        if role is not None and kind in rule.kinds and role in allowed_roles(rule.action):
            return True
    return False
