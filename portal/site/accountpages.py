"""The pages that act (account, staff, bills): which they are, and what their scripts show.

Static shells whose scripts call the API on the same origin; :mod:`portal.site.pages`
plans them with :func:`account_context`, which gathers from the rules and the catalogs
every choice and label they embed (as data-* JSON), so no script hard-codes one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from portal.estates.model import Company

BILL_PAGES = (
    ("account/bills/", "bills_mine.html"),
    ("account/bills/paid/", "bill_paid.html"),
    ("account/bills/receipt/", "bill_receipt.html"),
    ("staff/bills/", "bills_unit.html"),
    ("staff/bills/review/", "bills_review.html"),
)
"""Bills and payments: the owner's (phone) and finance's (desktop) pages."""

ROSTER_TEMPLATE = "staff/roster-template.csv"
"""The roster template the staff page offers: one file for both languages (the headers are
the Chinese ones the importer expects)."""

ACCOUNT_PAGES = (
    ("account/signin/", "signin.html"),
    ("account/", "home_my.html"),
    ("staff/signin/", "staff_signin.html"),
    ("staff/", "admin.html"),
    ("account/orders/new/", "order_new.html"),
    ("account/orders/", "orders_mine.html"),
    ("account/orders/view/", "order_view.html"),
    ("staff/orders/", "orders_queue.html"),
    ("staff/orders/view/", "order_view.html"),
    ("staff/callbacks/", "callbacks_desk.html"),
    ("staff/profiles/", "profile.html"),
    ("staff/kpi/", "kpi.html"),
    ("staff/commitments/", "commitments_staff.html"),
    *BILL_PAGES,
    ("staff/collection/", "collection.html"),
    ("staff/acknowledgements/", "acks_staff.html"),
    ("staff/publishing/", "publishing.html"),
    ("staff/reconcile/", "reconcile.html"),
    ("staff/desk/", "desk.html"),
    ("staff/handovers/", "handovers.html"),
    ("staff/debits/", "debits.html"),
)
"""The pages that act: static shells whose scripts call the API on the same origin."""


def account_context(lang: str, common: dict[str, Any], url: Callable[[str, str], str],
                    site_url: str) -> dict[str, Any]:  # fmt: skip
    """What the account pages show in ``lang``: the page's common context and
    :func:`account_labels`."""
    return {**common, **account_labels(lang, common["company"], url, site_url)}


def account_labels(lang: str, company: Company, url: Callable[[str, str], str],
                   site_url: str) -> dict[str, Any]:  # fmt: skip
    """Every choice and label the account pages embed in ``lang`` (``url`` makes the site's
    links): plain data (a clean build makes it in a forked helper and sends it back pickled,
    :mod:`portal.site.prefetch`). Its modules are imported here, when a page that acts is
    rendered: the tables above stay cheap for the plan of a rebuild that renders none."""
    from portal.accounts.identity import RELATIONSHIPS
    from portal.accounts.policy import ADMIN, FINANCE, OWNER, STAFF_ROLES, allowed_roles
    from portal.i18n import translate
    from portal.site.billpages import bill_context
    from portal.site.cashpages import cash_context
    from portal.site.collectionpages import collection_context
    from portal.site.orderpages import STAFF_CHANNELS, order_labels
    from portal.site.reconcilepages import reconcile_context
    from portal.site.servicepages import service_labels
    from portal.site.staffpages import staff_context
    from portal.uploads.types import MAX_BYTES as MAX_PHOTO_BYTES
    from portal.workorders.callback_model import DIMENSION_NAMES, METHODS, SCALE
    from portal.workorders.model import KINDS, MAX_PHOTOS, REPAIR_CATEGORIES, URGENCIES

    roles = (*STAFF_ROLES, FINANCE, ADMIN)  # the roles an admin may assign
    return {
        "staff_roles": roles,
        "import_roles": sorted(allowed_roles("owner.import")),
        "admin_role": ADMIN,
        # What the scripts show, from the company and the catalogs (embedded as data-* JSON).
        "estate_data": [
            {
                "slug": e.slug,
                "name": e.name.get(lang),
                "href": url(f"estates/{e.slug}/", lang),
                "buildings": {b.code: b.name.get(lang) for b in e.buildings},
                "tz": e.time_zone,
            }
            for e in company.estates
        ],
        "role_labels": {r: translate(f"staff.roles.{r}", lang) for r in roles},
        "rel_labels": {r: translate(f"account.relationship.{r}", lang) for r in RELATIONSHIPS},
        **staff_context(lang),  # the staff page, "我的" message switches, the KPI approval page
        # The work-order pages: the form's choices, and every label their scripts show.
        "order_roles": sorted(allowed_roles("workorder.read") - {OWNER}),
        "order_kinds": KINDS,
        "repair_categories": REPAIR_CATEGORIES,
        "urgencies": URGENCIES,
        "staff_channels": STAFF_CHANNELS,
        "order_labels": order_labels(lang),
        "max_photos": MAX_PHOTOS,
        "service_labels": service_labels(lang),
        **collection_context(lang),
        **reconcile_context(lang),
        **cash_context(lang),  # the desk, handover and direct-debit pages
        "finance_roles": sorted(allowed_roles("reconcile.read")),
        "callback_dimensions": DIMENSION_NAMES,
        "callback_scale": tuple(SCALE),
        "staff_methods": tuple(m for m in METHODS if m != "online"),
        "max_photo_bytes": MAX_PHOTO_BYTES,
        **bill_context(lang),  # the bill pages: every label their scripts show
        # The local outbox link (no real SMS) only on a site built for this machine.
        "dev_outbox": urlsplit(site_url).hostname in ("127.0.0.1", "localhost"),
    }
