"""Every route × every identity: exactly the allowed callers succeed, and no answer shows
a caller fields of an owner they may not see.

The rows are in ``tests/matrix/routes.py`` (one per route; a new route without
a row fails :func:`test_every_api_route_of_the_app_has_a_row_in_the_matrix`),
the identities in ``tests/matrix/conftest.py``. Who is allowed is computed from
``portal.accounts.policy``; a case id reads ``GET /api/me as neighbour_b``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Response

from functions.app import create_app
from portal.accounts.policy import POLICY
from portal.settings import Settings
from tests.matrix.conftest import EXPIRED, IDENTITIES, World
from tests.matrix.routes import ROUTES, Needs, Row

ERROR_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}
"""The error code a denial must carry: a 403 for another reason (csrf_failed...) is no proof."""

CASES = [pytest.param(row, who, id=f"{row.label} as {who}") for row in ROUTES for who in IDENTITIES]


def _api_routes(app: Any) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.endpoint != "static"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


@pytest.mark.parametrize(("row", "who"), CASES)
def test_exactly_the_allowed_identities_succeed_and_no_other_owners_fields_are_shown(
    world: World, row: Row, who: str
) -> None:
    expected = world.expected_status(row, who)
    res = world.call(row, who)
    body = res.get_data(as_text=True)
    allowed = "allowed" if world.expects(row, who) else "denied"
    assert res.status_code == expected, (
        f"{row.label} as {who} ({allowed}): {res.status_code}, expected {expected}: {body[:500]}"
    )
    if expected != row.success:
        code = (res.get_json(silent=True) or {}).get("error", {}).get("code")
        # A 404 may name what was not found (`staff_not_found`); 401/403 use the generic codes.
        assert code == ERROR_CODES[expected] or (
            expected == 404 and str(code).endswith("_not_found")
        ), f"denied for the wrong reason: {body[:500]}"
    if row.check_owner_fields:
        leaks = world.leaks(who, res)
        assert not leaks, f"{row.label} as {who} shows {', '.join(leaks)}"


# ----------------------------------------------------------------------------- the data


def test_every_api_route_of_the_app_has_a_row_in_the_matrix(world: World) -> None:
    missing = _api_routes(world.app) - {(row.method, row.path) for row in ROUTES}
    assert not missing, f"add a row to tests/matrix/routes.py for: {sorted(missing)}"


def test_every_row_of_the_matrix_names_a_real_route(world: World) -> None:
    routes = _api_routes(world.app)
    unknown = [row.label for row in ROUTES if (row.method, row.path) not in routes]
    assert not unknown, f"rows for routes the app does not have: {unknown}"


def test_the_matrix_app_has_every_route_of_the_dev_and_prod_apps(
    world: World, settings: Settings
) -> None:
    # The matrix runs in the test stage; the deployed stages must not have extra routes.
    for stage in ("dev", "prod"):
        deployed = create_app(settings.with_(stage=stage, phone_hash_key=b"k"))
        assert _api_routes(deployed) <= _api_routes(world.app), stage


def test_every_row_names_a_policy_action_and_a_target_that_exist(world: World) -> None:
    for row in ROUTES:
        if isinstance(row.access, Needs):
            assert row.access.action in POLICY, row.label
            assert row.access.target is None or row.access.target in world.targets, row.label


def test_every_protected_row_is_allowed_to_someone_and_denied_to_someone(world: World) -> None:
    # Otherwise the row proves only half: that the route refuses, or that it answers.
    for row in ROUTES:
        if isinstance(row.access, Needs):
            outcomes = {world.expects(row, who) for who in IDENTITIES}
            assert outcomes == {True, False}, row.label


def test_rows_with_a_hidden_denial_or_no_field_check_say_why() -> None:
    for row in ROUTES:
        if row.denied != 403 or not row.check_owner_fields:
            assert row.note, row.label


def test_expired_sessions_belong_to_identities_that_are_otherwise_allowed(world: World) -> None:
    # An expired session proves something only if the same person, signed in, gets in.
    for who, whose in EXPIRED.items():
        assert world.identity(who) is None and world.identity(whose) is not None
        protected = [row for row in ROUTES if isinstance(row.access, Needs)]
        assert any(world.expects(row, whose) for row in protected), who


def test_the_field_check_finds_a_neighbours_name_and_phone_even_when_escaped(
    world: World,
) -> None:
    b = world.owners["neighbour_b"]
    body = json.dumps({"name": b.name, "phone": b.phone}, ensure_ascii=True)  # \uXXXX
    res = Response(body, mimetype="application/json")
    assert world.leaks("owner_a", res) == ["neighbour_b's name", "neighbour_b's unmasked phone"]
    assert world.leaks("neighbour_b", res) == []
    assert world.leaks("butler_lanting", res) == []  # building 2, and butlers call owners
    assert world.leaks("cleaning_lanting", res) == ["neighbour_b's unmasked phone"]
