"""The transition table (portal.workorders.transitions), read by the tests as by the code:
every legal move is made through the service, every other (state, action) is refused."""

from __future__ import annotations

from typing import Any

import pytest

from portal.accounts.identity import Identity
from portal.errors import Conflict
from portal.wiring import Services
from portal.workorders.model import KINDS, Location, Price, WorkOrder
from portal.workorders.repository import item_of
from portal.workorders.transitions import (
    ACTIONS,
    MOVES,
    SERVICE_ONLY,
    STATES,
    allowed_actions,
    find,
)  # fmt: skip
from tests.factories import make_staff
from tests.support.workorders import UNIT, owner_identity, staff_identity

DETAILS: dict[str, dict[str, Any]] = {
    "dispatch": {"assignee": "工程部 陈师傅"},
    "sign_off": {"rating": 5},
    "quote": {"fen": 8000},
    "answer_price": {"answer": "accepted"},
    "hand_over": {"to": "zhou.desk"},
}
SUPERVISOR = staff_identity("li.butler", "supervisor")
CASES = [(k, s) for k in KINDS for s in STATES]


def _stored(services: Services, kind: str, state: str, action: str) -> WorkOrder:
    order = WorkOrder(
        number=f"T-{KINDS.index(kind)}{STATES.index(state):02d}{ACTIONS.index(action):02d}",
        kind=kind, location=Location(*UNIT), description="测试", urgency="normal",  # type: ignore[arg-type]
        channel="online", created_at="2026-11-22T01:00:00Z", created_by="owner:" + "o" * 32,
        state=state, owner_id="o" * 32, responsible="li.butler",
        category="plumbing" if kind == "repair" else "",
        price=Price(5000, "上门费") if action == "answer_price" else None,
    )  # fmt: skip
    services.table.put(item_of(order))
    return order


def _who(action: str) -> Identity:
    """An owner for the owners' actions, else a supervisor (who may do every staff one)."""
    rows = [m for m in MOVES if m.action == action]
    return owner_identity() if all(m.who == "owner" for m in rows) else SUPERVISOR


@pytest.mark.parametrize(("kind", "state"), CASES, ids=[f"{k}-{s}" for k, s in CASES])
def test_every_move_of_the_table_is_made_and_every_other_is_refused(
    services: Services, ddb: Any, kind: str, state: str
) -> None:
    make_staff(ddb, services.settings, "zhou.desk", "front_desk", estates=("lanting",))
    for action in ACTIONS:
        order = _stored(services, kind, state, action)
        move = find(action, state, kind)
        who = _who(action)
        if move is None:
            with pytest.raises(Conflict) as refused:
                services.work_orders.act(who, "lanting", order.number, action, "说明",
                                         DETAILS.get(action), by_service=True)  # fmt: skip
            assert refused.value.code == "order_action_not_allowed", action
            continue
        if action in SERVICE_ONLY:  # never straight from a request
            with pytest.raises(Conflict):
                services.work_orders.act(who, "lanting", order.number, action)
        after = services.work_orders.act(who, "lanting", order.number, action, "说明",
                                         DETAILS.get(action), by_service=True)  # fmt: skip
        assert after.state == (move.target or order.state), action
        assert after.version == order.version + 1
        _, history = services.work_orders.read(SUPERVISOR, "lanting", order.number)
        assert (history[-1].action, history[-1].state) == (action, after.state)
        assert history[-1].actor == f"{who.kind}:{who.user_id}" and history[-1].at


def test_the_table_names_only_known_states_and_each_action_has_a_row() -> None:
    for move in MOVES:
        assert move.sources <= set(STATES)
        assert move.target is None or move.target in STATES
    assert set(ACTIONS) == {m.action for m in MOVES}


def test_what_may_be_done_depends_on_the_state_and_the_kind() -> None:
    assert allowed_actions("submitted", "repair") == ("acknowledge", "note")
    assert "invalid" in allowed_actions("submitted", "complaint")
    assert "park" in allowed_actions("acknowledged", "suggestion")
    assert "park" not in allowed_actions("acknowledged", "complaint")
    assert "dispatch" not in allowed_actions("acknowledged", "praise")
