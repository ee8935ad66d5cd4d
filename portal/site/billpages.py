"""What the bill pages hand their scripts: every label, from the catalogs, at build time.

The lists come from the billing core (fee items, bill and payment states, provider kinds,
the reasons a payment is closed or put in review), so a new state without a label in
both catalogs shows up in the tests, not as a raw key on an owner's phone.
"""

from __future__ import annotations

from typing import Any

from portal.accounts.policy import OWNER, allowed_roles
from portal.billing.model import ITEMS, PAYMENT_STATUSES
from portal.i18n import translate

BILL_STATUSES: tuple[str, ...] = ("unpaid", "partly_paid", "paid", "late")
PROVIDERS: tuple[str, ...] = ("alipay", "wechat", "sandbox", "cash", "transfer", "pos", "debit")
"""How a payment was made: the online providers, then the offline methods
(``portal.finance.offline.Method``: a test checks the two agree)."""
REFUND_STATES: tuple[str, ...] = ("requested", "succeeded", "failed")
"""``portal.billing.model.Refund.state`` (a test checks the two agree)."""
REASONS: tuple[str, ...] = ("amount_mismatch", "bills_changed", "provider_closed", "expired",
                            "not_started", "cannot_open_here")  # fmt: skip
"""Why a payment is in review (the ledger's) or closed (its sweep's and the service's)."""
SCRIPT_TEXT: tuple[str, ...] = (
    "due", "late", "paid_on", "part", "amount", "guide_title", "unit", "refunded", "refund_no",
    "receipt", "refund", "refundable", "refund_done", "refund_invalid", "refund_reason_required",
    "none",
)  # fmt: skip
"""``bills.js.<key>``: the sentences the scripts fill in."""

GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "item": ("billing.items", ITEMS),
    "status": ("billing.status", BILL_STATUSES),
    "payment": ("billing.payment_status", PAYMENT_STATUSES),
    "provider": ("billing.providers", PROVIDERS),
    "refund_state": ("billing.refund_states", REFUND_STATES),
    "reason": ("bills.reasons", REASONS),
    "text": ("bills.js", SCRIPT_TEXT),
}
"""Script group → (catalog prefix, the keys every language must have)."""


def bill_labels(lang: str) -> dict[str, dict[str, str]]:
    """The labels the bill scripts show, in ``lang``."""
    return {group: {key: translate(f"{prefix}.{key}", lang) for key in keys}
            for group, (prefix, keys) in GROUPS.items()}  # fmt: skip


def catalog_keys() -> list[str]:
    """Every catalog key the bill pages' scripts read (for the both-languages test)."""
    return [f"{prefix}.{key}" for prefix, keys in GROUPS.values() for key in keys]


def bill_context(lang: str) -> dict[str, Any]:
    """What the bill pages' templates add to the account pages' context."""
    return {"bill_labels": bill_labels(lang),
            "bill_roles": sorted(allowed_roles("bill.read") - {OWNER}),  # the staff who read accounts
            "refund_roles": sorted(allowed_roles("payment.refund"))}  # who sees the refund button
