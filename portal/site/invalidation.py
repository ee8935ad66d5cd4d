"""CloudFront invalidations after a publish: exactly the pages that changed, in one request.

Pages are served for a minute from CloudFront's cache (``max-age=60``); a publish
invalidates the HTML paths it uploaded or deleted so a notice is live at once. Hashed
assets never need it (a new file has a new name); feeds and calendars follow within a
minute. The viewer-request function maps ``/x/`` to ``/x/index.html`` before the cache
is read, so the object's own path is what is cached, except the site's root ``/``
(``DefaultRootObject``), which is named too when the home page changed.

A path with characters outside URL-safe ASCII is percent-encoded, as CloudFront asks.
Over :data:`MAX_PATHS` paths (a new template: every page changed) one ``/*`` replaces
them: CloudFront charges per path and limits how many are in progress.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from portal.store.errors import translated

MAX_PATHS = 1000
"""More changed pages than this are invalidated as ``/*`` (one path)."""
_PAGE_SUFFIXES = (".html", ".htm")


def invalidation_paths(keys: Iterable[str], prefix: str = "") -> list[str]:
    """The CloudFront paths of the changed HTML objects among ``keys`` (bucket keys)."""
    paths: set[str] = set()
    for key in keys:
        rel = key[len(prefix) :] if prefix and key.startswith(prefix) else key
        if not rel.lower().endswith(_PAGE_SUFFIXES):
            continue
        paths.add("/" + quote(rel, safe="/-_.~"))
        if rel == "index.html":
            paths.add("/")
    if len(paths) > MAX_PATHS:
        return ["/*"]
    return sorted(paths)


def invalidate(client: Any, distribution_id: str, paths: list[str], reference: str = "") -> str:
    """One invalidation of ``paths`` (none when there are none); its id, or ``""``."""
    if not paths:
        return ""
    with translated():
        got = client.create_invalidation(DistributionId=distribution_id, InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": paths},
            "CallerReference": reference or uuid.uuid4().hex,
        })  # fmt: skip
    return str(got.get("Invalidation", {}).get("Id", ""))
