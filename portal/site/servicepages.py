"""What the callback, owner-profile and KPI pages hand their scripts: labels, at build time.

The keys come from the tables of the core (callback kinds, methods, the scale and its
dimensions; segments, occupancy, relationships, the profile's fields; the KPIs and the SLA
stages), so a new row without a label in both catalogs fails the catalog test rather than
showing a raw key to staff.
"""

from __future__ import annotations

from portal.accounts.owners import OCCUPANCIES
from portal.i18n import translate
from portal.profiles.model import MEMBER_RELATIONSHIPS, SEGMENT_NAMES
from portal.service_levels import KPIS
from portal.site.orderpages import STAGE_NAMES
from portal.workorders.callback_model import DIMENSION_NAMES, KINDS, METHODS, SCALE

GROUPS: dict[str, tuple[str, ...]] = {
    "callbacks.kinds": KINDS,
    "callbacks.methods": METHODS,
    "callbacks.states": ("due", "done", "cancelled"),
    "callbacks.ratings": tuple(SCALE),
    "callbacks.dimensions": DIMENSION_NAMES,
    "profiles.segments": SEGMENT_NAMES,
    "profiles.occupancy": OCCUPANCIES,
    "profiles.relationships": MEMBER_RELATIONSHIPS,
    "profiles.relationship_words": MEMBER_RELATIONSHIPS,  # what staff type besides the names
    "profiles.fields": ("owner", "occupancy", "segment", "handover_date", "move_in_date",
                        "members", "defects"),
    "profiles.timeline": ("order", "callback", "attempt", "result"),
    "site.kpi": tuple(k.key for k in KPIS),
    "kpi.status": ("met", "not_met", "no_data", "empty", "no_target"),
    "services.stage": STAGE_NAMES,
}
"""Catalog prefix → the keys every language must have (``<prefix>.<key>``)."""


def service_labels(lang: str) -> dict[str, dict[str, str]]:
    """The labels of the staff service pages, in ``lang``, grouped by their last part."""
    return {
        prefix: {key: translate(f"{prefix}.{key}", lang) for key in keys}
        for prefix, keys in GROUPS.items()
    }


def catalog_keys() -> list[str]:
    return [f"{prefix}.{key}" for prefix, keys in GROUPS.items() for key in keys]

