"""Which fuzz test takes each (operation, identity) pair: decided from the matrix and policy."""

from __future__ import annotations

import re

from tests.fuzz.conftest import IDENTITIES
from tests.fuzz.depth import (
    COVERAGE_ORDER,
    FULL,
    REFUSED,
    ROLE_OF,
    SERVED,
    _access,
    depth,
    thorough,
)
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


def test_each_operation_runs_every_phase_as_exactly_one_identity_and_the_rest_by_what_they_may_do() -> (
    None
):
    assert set(COVERAGE_ORDER) == set(IDENTITIES)
    for op in _operations():
        depths = {who: depth(*op, who) for who in IDENTITIES}
        assert list(depths.values()).count(FULL) == 1, (op, depths)
        for who, got in depths.items():
            assert (got == REFUSED) == (not thorough(*op, who)), (op, who, got)


def test_the_coverage_phase_runs_as_the_admin_where_it_may_act_and_else_as_who_may() -> None:
    assert depth("POST", "/api/publishing/campaigns", "admin") == FULL
    assert depth("POST", "/api/publishing/campaigns", "staff") == SERVED
    assert depth("POST", "/api/publishing/campaigns", "owner") == REFUSED
    assert depth("POST", "/api/orders/{estate}/{number}/callback", "owner") in (FULL, SERVED)
    owner_only = [op for op in _operations()
                  if [who for who in IDENTITIES if thorough(*op, who)] == ["owner"]]  # fmt: skip
    assert owner_only, "some operation serves owners only"
    assert all(depth(*op, "owner") == FULL for op in owner_only)
