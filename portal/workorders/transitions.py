"""The states of a work order and every move between them, in one table.

The service (:mod:`portal.workorders.service`) looks up a move here, and so do
the tests (every legal move is tried, and every other pair of state and action
is refused). A row says: this action, from these states, for these kinds, by
this kind of user (with the permission from :mod:`portal.accounts.policy`),
leads to that state (``None``: the state stays; the action is only recorded).

::

    submitted → acknowledged → dispatched → on_site → resolved → signed_off → callback_done → closed
                     │   ╰── invalid (complaint, suggestion: the reason is shown to the owner)
                     ╰────── parked (a suggestion that cannot be acted on now, with a reply)
    resolved / signed_off / callback_done ──reopen (二次派单)──▶ reopened → dispatched …
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from portal.workorders.model import KINDS, Kind

STATES: tuple[str, ...] = (
    "submitted",
    "acknowledged",
    "dispatched",
    "on_site",
    "resolved",
    "signed_off",
    "callback_done",
    "closed",
    "reopened",
    "invalid",
    "parked",
)
FINAL_STATES = frozenset({"closed", "invalid", "parked"})
UNRESOLVED_STATES = frozenset({"submitted", "acknowledged", "dispatched", "on_site", "reopened"})
"""Where the escalation ladder keeps climbing."""
OPEN_STATES = frozenset(STATES) - FINAL_STATES

Who = Literal["staff", "owner", "any"]
_DOING: tuple[Kind, ...] = ("repair", "complaint", "service", "suggestion")
_JUDGED: tuple[Kind, ...] = ("complaint", "suggestion")


@dataclass(frozen=True)
class Move:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the state stays
    who: Who
    permission: str  # the action in portal.accounts.policy.POLICY (staff); owners: their units
    kinds: tuple[Kind, ...] = KINDS
    needs_note: bool = False  # a reason, a reply or a description is required


def _m(action: str, sources: str, target: str | None, who: Who, permission: str,
       kinds: tuple[Kind, ...] = KINDS, needs_note: bool = False) -> Move:  # fmt: skip
    return Move(action, frozenset(sources.split()), target, who, permission, kinds, needs_note)


# fmt: off
MOVES: tuple[Move, ...] = (
    _m("acknowledge", "submitted", "acknowledged", "staff", "workorder.handle"),
    _m("dispatch", "acknowledged reopened", "dispatched", "staff", "workorder.handle", _DOING),
    _m("arrive", "dispatched", "on_site", "staff", "workorder.handle", ("repair", "service")),
    _m("resolve", "dispatched on_site", "resolved", "staff", "workorder.handle", _DOING),
    _m("sign_off", "resolved", "signed_off", "any", "workorder.handle", _DOING),
    _m("reopen", "resolved signed_off callback_done", "reopened", "any", "workorder.handle",
       _DOING, needs_note=True),
    _m("callback", "resolved signed_off", "callback_done", "any", "callback.record", _DOING),
    _m("close", "callback_done", "closed", "staff", "workorder.handle", _DOING),
    _m("close", "signed_off", "closed", "staff", "workorder.handle", ("service", "suggestion")),
    _m("close", "acknowledged", "closed", "staff", "workorder.handle", ("praise",)),
    _m("invalid", "submitted acknowledged", "invalid", "staff", "workorder.judge", _JUDGED,
       needs_note=True),
    _m("park", "submitted acknowledged", "parked", "staff", "workorder.judge", ("suggestion",),
       needs_note=True),
    # Recorded without changing the state:
    _m("hand_over", " ".join(sorted(OPEN_STATES - {"submitted"})), None, "staff",
       "workorder.handle"),
    _m("feedback", "acknowledged dispatched on_site reopened", None, "staff", "workorder.handle",
       needs_note=True),
    _m("note", " ".join(sorted(OPEN_STATES)), None, "staff", "workorder.handle", needs_note=True),
    _m("quote", "acknowledged reopened", None, "staff", "workorder.handle", ("repair", "service")),
    _m("answer_price", "acknowledged reopened", None, "owner", "workorder.handle",
       ("repair", "service")),
)
# fmt: on

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(m.action for m in MOVES))
SERVICE_ONLY = frozenset({"callback"})
"""Moves only a sibling service makes, with its own record in the same transaction (a
callback is recorded through :class:`portal.workorders.callbacks.CallbackService`, which
moves the order): never straight from a request."""


def find(action: str, state: str, kind: str) -> Move | None:
    """The move ``action`` makes from ``state`` for an order of ``kind``; ``None`` if illegal."""
    for move in MOVES:
        if move.action == action and state in move.sources and kind in move.kinds:
            return move
    return None


def allowed_actions(state: str, kind: str) -> tuple[str, ...]:
    """What may be done to an order now (the order page's buttons)."""
    return tuple(a for a in ACTIONS if find(a, state, kind) is not None)
