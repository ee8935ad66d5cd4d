"""One ``APIBlueprint`` per resource, all under ``/api``.

Add a resource by writing ``functions/blueprints/<resource>.py`` with a
``bp = api_blueprint("<resource>", __name__)`` and listing it in
:func:`blueprints`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag
from flask_openapi3.utils import parse_parameters

from functions.errors import ErrorEnvelope
from portal.i18n import translate

API_PREFIX = "/api"

COMMON_RESPONSES: dict[str | int, type[ErrorEnvelope]] = {400: ErrorEnvelope, 500: ErrorEnvelope}
"""Documented on every operation: any request may be malformed, any may fail."""


def operation_id(*, bp_name: str = "", name: str = "", path: str = "", method: str = "") -> str:
    """``<resource>_<view function>``: stable when a path or method changes."""
    return f"{bp_name}_{name}" if bp_name else name


class DocumentedLater(APIBlueprint):
    """An ``APIBlueprint`` that describes its routes in the OpenAPI document only when the
    document is first asked for (:class:`functions.app.PortalAPI`), not at import.

    flask-openapi3 builds each route's description (JSON schemas of its models, the
    operation) when the route is declared, so on every cold start; validation needs only
    the route's models, which are the same either way (``parse_parameters`` with and
    without the document), so the document is still derived from the models that
    validate. The routes' calls are kept and replayed, in order, by :meth:`document`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.later: list[tuple[str, Callable[..., Any], dict[str, Any]]] = []

    def _collect_openapi_info(self, rule: str, func: Callable[..., Any],
                              **kwargs: Any) -> Any:  # fmt: skip
        if self.doc_ui is True and kwargs.get("doc_ui", True) is True:
            self.later.append((rule, func, kwargs))
        return parse_parameters(func, doc_ui=False)

    def document(self) -> None:
        """Describe the routes declared so far (into ``paths``, ``components_schemas``, ``tags``)."""
        later, self.later = self.later, []
        for rule, func, kwargs in later:
            super()._collect_openapi_info(rule, func, **kwargs)


def api_blueprint(name: str, import_name: str) -> DocumentedLater:
    """A blueprint mounted at ``/api``, tagged ``name`` (described in ``api.yaml``)."""
    tag = Tag(name=name, description=translate(f"api.tags.{name}", "en"))
    return DocumentedLater(
        name,
        import_name,
        url_prefix=API_PREFIX,
        abp_tags=[tag],
        abp_responses=dict(COMMON_RESPONSES),
        operation_id_callback=operation_id,
    )


def blueprints(local: bool = False) -> list[DocumentedLater]:
    """Every resource's blueprint, in the order they appear in the OpenAPI document.

    The ``dev`` helpers (the local SMS outbox) exist only in local and test stages:
    in dev and prod they are not even routed, nor in the OpenAPI document.
    """
    from functions.blueprints import (
        acknowledgements,
        auth_owner,
        auth_staff,
        bills,
        callbacks,
        collection,
        commitments,
        events,
        health,
        kpi,
        messages,
        offline_payments,
        orders,
        owners,
        payments,
        profiles,
        publishing,
        reconcile,
        session,
        staff,
        wechat_payer,
    )  # fmt: skip

    bps = [health.bp, session.bp, auth_owner.bp, auth_staff.bp, staff.bp, owners.bp, orders.bp,
           callbacks.bp, profiles.bp, kpi.bp, bills.bp, payments.bp, offline_payments.bp,
           collection.bp, reconcile.bp, wechat_payer.bp, acknowledgements.bp, messages.bp, events.bp,
           commitments.bp, publishing.bp]  # fmt: skip
    if not local:
        return bps  # the dev module is not even imported on Lambda
    from functions.blueprints import dev

    return [*bps, dev.bp]
