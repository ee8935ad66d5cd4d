"""What the cash pages embed at build time: the front desk's page (``staff/desk/``: take a
unit's fees in cash, by transfer or POS card), the foreman's handover page
(``staff/handovers/``: confirm the guards' door-cash batches) and the direct-debit page
(``staff/debits/``: import the bank's result file, the owners still to be told).

Their words come from the catalogs, their choices from the finance core (the desk methods,
the batch states, the debit row statuses), and who sees each link on the staff home from the
policy, so a page never offers what the API refuses."""

from __future__ import annotations

from typing import Any

from portal.accounts.policy import allowed_roles
from portal.finance.offline import DESK_METHODS
from portal.i18n import translate

BATCH_STATES: tuple[str, ...] = ("open", "confirmed", "discrepancy")
DEBIT_STATUSES: tuple[str, ...] = ("recorded", "duplicate", "error", "skipped")
DESK_TEXT: tuple[str, ...] = (
    "bill", "period", "outstanding", "late", "total", "no_bills", "pick_bills", "amount_invalid",
    "amount_differs", "recorded", "seen", "time", "unit", "method_col", "amount", "receipt",
    "by", "reference_col", "day_total", "none", "print",
)  # fmt: skip
"""``collection.desk.<key>``: the headers and sentences the desk's script shows."""
HANDOVER_TEXT: tuple[str, ...] = (
    "day", "collector", "count", "amount", "state", "counted", "confirm", "confirmed",
    "differs", "count_label", "amount_label", "note_label", "summary", "none", "amount_invalid",
)  # fmt: skip
"""``collection.handover_page.<key>``."""
DEBIT_TEXT: tuple[str, ...] = (
    "row", "status", "unit", "amount", "serial", "receipt", "problems", "recorded_at", "due_by",
    "overdue", "none", "file_required", "nothing_due",
)  # fmt: skip
"""``collection.debit_page.<key>``."""

GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "methods": ("collection.methods", DESK_METHODS),
    "states": ("collection.handover.states", BATCH_STATES),
    "statuses": ("collection.debit_page.statuses", DEBIT_STATUSES),
    "desk": ("collection.desk", DESK_TEXT),
    "handover": ("collection.handover_page", HANDOVER_TEXT),
    "debit": ("collection.debit_page", DEBIT_TEXT),
}
"""Script group → (catalog prefix, the keys every language must have)."""

LINKS: tuple[tuple[str, str, str], ...] = (
    ("staff/desk/", "collection.desk.nav", "payment.desk_day"),
    ("staff/handovers/", "collection.handover_page.nav", "handover.confirm"),
    ("staff/debits/", "collection.debit_page.nav", "debit.import"),
)
"""The cash pages on the staff home: path, its name's catalog key, the action its readers hold."""


def catalog_keys() -> list[str]:
    """Every catalog key the cash pages' scripts read (for the both-languages test)."""
    return [f"{prefix}.{key}" for prefix, keys in GROUPS.values() for key in keys]


def cash_context(lang: str) -> dict[str, Any]:
    return {
        "cash_labels": {group: {key: translate(f"{prefix}.{key}", lang) for key in keys}
                        for group, (prefix, keys) in GROUPS.items()},
        "cash_methods": DESK_METHODS,
        "cash_links": [{"path": path, "name": translate(key, lang),
                        "roles": sorted(allowed_roles(action))} for path, key, action in LINKS],
    }  # fmt: skip
