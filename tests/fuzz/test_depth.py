"""Which fuzz test takes each (operation, identity) pair: decided from the matrix and policy."""

from __future__ import annotations

import re

from tests.fuzz.conftest import IDENTITIES
from tests.fuzz.depth import ROLE_OF, _access, thorough
from tests.fuzz.schema import APP

_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _operations() -> list[tuple[str, str]]:
    out = []
    for rule in APP.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                out.append((method, _PARAM.sub(r"{\1}", rule.rule)))
    return out


def test_every_identity_of_the_fuzz_run_has_a_role_and_every_operation_a_matrix_row() -> None:
    assert set(ROLE_OF) == set(IDENTITIES)
    missing = [op for op in _operations() if op not in _access()]
    assert missing == []  # so no pair falls back to a thorough run for want of a row


def test_the_admin_is_fuzzed_thoroughly_on_staff_routes_and_anyone_on_public_ones() -> None:
    assert thorough("POST", "/api/publishing/campaigns", "admin")
    assert thorough("POST", "/api/publishing/campaigns", "staff")  # a supervisor drafts
    assert not thorough("POST", "/api/publishing/campaigns", "owner")
    assert not thorough("POST", "/api/publishing/campaigns", "anonymous")
    assert thorough("POST", "/api/orders", "owner")
    assert all(thorough("GET", "/api/health", who) for who in IDENTITIES)


def test_each_operation_is_fuzzed_thoroughly_as_at_least_one_identity() -> None:
    shallow = [op for op in _operations() if not any(thorough(*op, who) for who in IDENTITIES)]
    assert shallow == []
