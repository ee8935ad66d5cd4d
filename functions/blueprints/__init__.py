"""One blueprint per resource, all under ``/api`` (:class:`functions.routing.ApiBlueprint`).

Add a resource by writing ``functions/blueprints/<resource>.py`` with a
``bp = api_blueprint("<resource>", __name__)`` and listing it in
:func:`blueprints`.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the resource modules: the table below needs neither
    from functions.routing import ApiBlueprint

API_PREFIX = "/api"


def operation_id(*, bp_name: str = "", name: str = "", path: str = "", method: str = "") -> str:
    """``<resource>_<view function>``: stable when a path or method changes."""
    return f"{bp_name}_{name}" if bp_name else name


def api_blueprint(name: str, import_name: str) -> ApiBlueprint:
    """A blueprint mounted at ``/api``, tagged ``name`` in the document (described in
    ``api.yaml``: :mod:`functions.openapi`)."""
    from functions.routing import ApiBlueprint

    return ApiBlueprint(name, import_name, url_prefix=API_PREFIX)


RESOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("health", ("health",)),
    ("session", ("auth", "me")),
    ("auth_owner", ("auth",)),
    ("auth_staff", ("auth",)),
    ("staff", ("staff",)),
    ("owners", ("owners",)),
    ("orders", ("orders",)),
    ("callbacks", ("callbacks", "orders/*/*/callback")),
    ("profiles", ("profiles",)),
    ("kpi", ("kpi",)),
    ("bills", ("bills",)),
    ("payments", ("payments",)),
    ("offline_payments", ("offline-payments", "handovers", "debits")),
    ("collection", ("collection", "arrears")),
    ("reconcile", ("reconcile",)),
    ("wechat_payer", ("payments",)),
    ("acknowledgements", ("acknowledgements",)),
    ("messages", ("messages",)),
    ("events", ("events",)),
    ("commitments", ("commitments",)),
    ("publishing", ("publishing",)),
)
"""Every resource: its module (``functions.blueprints.<module>``) and the paths it serves
after ``/api/``, in the order of the OpenAPI document. A path is given by its first segment
(``orders``: every path under ``/api/orders/``), or whole, segment by segment, ``*`` for
any one (``orders/*/*/callback``: an order's callback, which the work-order screens do not
need). The Lambda builds only the resources a request's path needs
(:mod:`functions.dispatch`); a test checks every route against its resource's paths."""

LOCAL_ONLY: tuple[tuple[str, tuple[str, ...]], ...] = (("dev", ("dev",)),)
"""The ``dev`` helpers (the local SMS outbox) exist only in local and test stages: in dev
and prod they are not even imported, routed, nor in the OpenAPI document."""


def resources(local: bool = False) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """:data:`RESOURCES`, and in the local and test stages :data:`LOCAL_ONLY` too."""
    return RESOURCES + LOCAL_ONLY if local else RESOURCES


def segments_of(path: str) -> list[str]:
    """The segments of a path after ``/api/`` (``lanting/WO-1`` → ``["lanting", "WO-1"]``),
    empty ones left out as the router merges repeated slashes (``a//b`` is ``a/b``)."""
    return [part for part in path.split("/") if part]


def serves(pattern: str, parts: list[str]) -> bool:
    """Whether a path of these segments is one of ``pattern``'s (see :data:`RESOURCES`)."""
    if "/" not in pattern:
        return bool(parts) and parts[0] == pattern
    wanted = pattern.split("/")
    return len(wanted) == len(parts) and all(w in ("*", p) for w, p in zip(wanted, parts, strict=True))


def for_path(path: str, local: bool = False) -> tuple[str, ...]:
    """The modules of the resources that serve ``path`` (what follows ``/api/``)."""
    parts = segments_of(path)
    return tuple(module for module, patterns in resources(local)
                 if any(serves(p, parts) for p in patterns))  # fmt: skip


def blueprints(local: bool = False, only: Collection[str] | None = None) -> list[ApiBlueprint]:
    """The resources' blueprints (those of the modules ``only``, if given), in document order."""
    found: list[ApiBlueprint] = []
    for module, _ in resources(local):
        if only is None or module in only:
            found.append(importlib.import_module(f"{__name__}.{module}").bp)
    return found
