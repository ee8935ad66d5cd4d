"""What the staff page, the owner's message switches and the KPI approval page hand their
scripts at build time, and the roster template the staff page offers for download.

Labels come from the catalogs and lists from the core's tables (roster columns and row
states, message kinds, KPI statuses), so a new row without a label in both catalogs fails
``tests/unit/sitebuild/test_staff_pages.py`` instead of showing a raw key to staff.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ROSTER_TEMPLATE", "catalog_keys", "roster_template", "staff_context"]

from portal.accounts.passwords import MIN_LENGTH
from portal.accounts.policy import allowed_roles
from portal.accounts.roster.columns import ERROR_COLUMNS, TEMPLATE_HEADERS, Field
from portal.greetings.preferences import KINDS as MESSAGE_KINDS
from portal.i18n import translate
from portal.site.accountpages import ROSTER_TEMPLATE

ROSTER_STATUSES = ("ok", "error", "skipped")
COLUMNS: tuple[Field, ...] = tuple(dict.fromkeys(ERROR_COLUMNS.values()))
COMMITMENT_TEXT = ("none", "prepared", "approved", "published", "why_label", "approved_by",
                   "approved_done", "missed_count", "all_met", "due", "late", "value", "target", "month_label")  # fmt: skip
"""``commitments.staff.<key>``: the sentences the approval page's script shows."""

GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "status": ("roster.status", ROSTER_STATUSES),
    "column": ("roster.columns", COLUMNS),
    "text": ("commitments.staff", COMMITMENT_TEXT),
}


def roster_template() -> str:
    """The roster template: UTF-8 with a BOM (Excel opens it as UTF-8), one header row."""
    return "\ufeff" + ",".join(TEMPLATE_HEADERS) + "\r\n"


def staff_context(lang: str) -> dict[str, Any]:
    """The labels and lists of the staff page, "我的" switches and the approval page."""
    return {
        "message_kinds": MESSAGE_KINDS,
        "password_min": MIN_LENGTH,
        "roster_template": "/" + ROSTER_TEMPLATE,
        "status_labels": {s: translate(f"roster.status.{s}", lang) for s in ROSTER_STATUSES},
        "column_labels": {c: translate(f"roster.columns.{c}", lang) for c in COLUMNS},
        "approve_roles": sorted(allowed_roles("kpi.approve")),
        "commitment_text": {k: translate(f"commitments.staff.{k}", lang) for k in COMMITMENT_TEXT},
    }


def catalog_keys() -> list[str]:
    return [f"{prefix}.{key}" for prefix, keys in GROUPS.values() for key in keys]
