"""What the work-order pages hand their scripts: every label, from the catalogs, at build time.

The lists come from the work-order core (kinds, categories, states, the moves of the
transition table, the SLA stages), so a new state or action without a label in both
catalogs shows up in the tests, not as a raw key on an owner's phone.
"""

from __future__ import annotations

from typing import Any

from portal.i18n import translate
from portal.workorders.model import CHANNELS, KINDS, REPAIR_CATEGORIES, URGENCIES
from portal.workorders.sla import STAGES
from portal.workorders.transitions import ACTIONS, MOVES, OPEN_STATES, STATES

EVENTS: tuple[str, ...] = ("submit", *ACTIONS, "escalate")
"""Every ``action`` a history line may carry (the moves, the submit, the ladder's climbs)."""
STAGE_NAMES: tuple[str, ...] = tuple(dict.fromkeys(s.name for s in STAGES))
MARKS: tuple[str, ...] = ("met", "breached", "pending", "ended")
"""How a time limit stands (the API's three, and ``ended``: still pending when the order ended)."""
RATINGS: tuple[str, ...] = ("5", "4", "3", "2", "1")
DETAILS: tuple[str, ...] = ("assignee", "to", "rating", "fen", "answer", "channel", "rung")
ANSWERS: tuple[str, ...] = ("accepted", "declined")
STAFF_CHANNELS: tuple[str, ...] = tuple(c for c in CHANNELS if c != "online")
NOTE_ACTIONS: tuple[str, ...] = tuple(a for a in ACTIONS if a not in ("acknowledge", "arrive"))
"""The actions whose form has a note box (acknowledge and arrive are one tap)."""

GROUPS: dict[str, tuple[str, ...]] = {
    "kind": KINDS,
    "category": REPAIR_CATEGORIES,
    "urgency": URGENCIES,
    "channel": CHANNELS,
    "state": STATES,
    "action": ACTIONS,
    "event": EVENTS,
    "note_label": NOTE_ACTIONS,
    "stage": STAGE_NAMES,
    "mark": MARKS,
    "rating": RATINGS,
    "details": DETAILS,
    "answer": ANSWERS,
}
"""Catalog group (``orders.<group>.<key>``) → the keys every language must have."""

SINGLE = ("to_sign", "to_answer", "internal", "owner", "you", "system", "due", "done_at", "stars")


def order_labels(lang: str) -> dict[str, Any]:
    """The labels the order scripts show, in ``lang``, plus the rules they need."""
    out: dict[str, Any] = {
        group: {key: translate(f"orders.{group}.{key}", lang) for key in keys}
        for group, keys in GROUPS.items()
    }
    out.update({key: translate(f"orders.{key}", lang) for key in SINGLE})
    out["public"] = translate("orders.queue.public", lang)
    out["open_states"] = sorted(OPEN_STATES)
    out["needs_note"] = sorted({m.action for m in MOVES if m.needs_note})
    return out


def catalog_keys() -> list[str]:
    """Every catalog key the order pages' scripts read (for the both-languages test)."""
    keys = [f"orders.{group}.{key}" for group, keys in GROUPS.items() for key in keys]
    return keys + [f"orders.{key}" for key in SINGLE] + ["orders.queue.public"]
