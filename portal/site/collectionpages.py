"""What the finance page (``staff/collection/``) embeds at build time: the age buckets' names
and the table headers, from the catalogs (the same words as the exports)."""

from __future__ import annotations

from typing import Any

from portal.finance.arrears import BUCKETS
from portal.finance.exports import FIGURE_HEADERS
from portal.i18n import translate


def collection_context(lang: str) -> dict[str, Any]:
    def head(key: str) -> str:
        return translate(f"collection.export.{key}", lang)

    return {
        "collection_buckets": {b: translate(f"collection.buckets.{b}", lang) for b, _, _ in BUCKETS},
        "collection_headers": {
            "building": head("building"), "unit": head("unit"), "owners": head("owners"),
            "arrears": head("arrears"), "oldest_days": head("oldest_days"), "total": head("total"),
            "figures": [head(k) for k in FIGURE_HEADERS],
        },
    }  # fmt: skip
