"""What the finance page (``staff/reconcile/``) embeds at build time: the names of the
discrepancy kinds, actions, states and statement sources, the sentences its script fills in,
and which actions each kind allows (:data:`~portal.finance.reconcile.kinds.ACTIONS`), all from
the reconciliation core and the catalogs, so the page offers only what the API accepts."""

from __future__ import annotations

from typing import Any

from portal.finance.reconcile.banksample import FIELDS
from portal.finance.reconcile.kinds import ACTIONS, KINDS
from portal.i18n import translate

STATES: tuple[str, ...] = ("open", "matched", "closed")
STATUSES: tuple[str, ...] = ("open", "resolved", "cleared")
SOURCES: tuple[str, ...] = ("wechat", "alipay", "bank")
SCRIPT_TEXT: tuple[str, ...] = (
    "state", "matched", "resolved", "note_required", "closed", "reopened", "none", "line",
    "column", "problem", "kind", "ref", "ours", "provider", "bank_amount", "status",
    "resolution", "action", "note", "resolve", "day_col", "done", "map_found", "map_unused",
    "map_saved", "map_bank_invalid", "map_incomplete",
)  # fmt: skip
"""``reconcile.page.<key>``: the headers and sentences the script shows."""

GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "kinds": ("reconcile.kinds", KINDS),
    "actions": ("reconcile.actions", tuple(ACTIONS)),
    "states": ("reconcile.states", STATES),
    "statuses": ("reconcile.statuses", STATUSES),
    "fields": ("reconcile.fields", FIELDS),
    "text": ("reconcile.page", SCRIPT_TEXT),
}
"""Script group → (catalog prefix, the keys every language must have)."""


def catalog_keys() -> list[str]:
    """Every catalog key the page's script reads (for the both-languages test)."""
    return [f"{prefix}.{key}" for prefix, keys in GROUPS.values() for key in keys]


def reconcile_context(lang: str) -> dict[str, Any]:
    return {
        "reconcile_labels": {group: {key: translate(f"{prefix}.{key}", lang) for key in keys}
                             for group, (prefix, keys) in GROUPS.items()},
        "reconcile_actions": {kind: [a for a, kinds in ACTIONS.items() if kind in kinds]
                              for kind in KINDS},
        "reconcile_sources": {s: translate(f"reconcile.sources.{s}", lang) for s in SOURCES},
        "reconcile_fields": FIELDS,
    }  # fmt: skip
