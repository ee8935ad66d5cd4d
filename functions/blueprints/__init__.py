"""One ``APIBlueprint`` per resource, all under ``/api``.

Add a resource by writing ``functions/blueprints/<resource>.py`` with a
``bp = api_blueprint("<resource>", __name__)`` and listing it in
:func:`blueprints`.
"""

from __future__ import annotations

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from functions.errors import ErrorEnvelope
from portal.i18n import translate

API_PREFIX = "/api"

COMMON_RESPONSES: dict[str | int, type[ErrorEnvelope]] = {400: ErrorEnvelope, 500: ErrorEnvelope}
"""Documented on every operation: any request may be malformed, any may fail."""


def operation_id(*, bp_name: str = "", name: str = "", path: str = "", method: str = "") -> str:
    """``<resource>_<view function>``: stable when a path or method changes."""
    return f"{bp_name}_{name}" if bp_name else name


def api_blueprint(name: str, import_name: str) -> APIBlueprint:
    """A blueprint mounted at ``/api``, tagged ``name`` (described in ``api.yaml``)."""
    tag = Tag(name=name, description=translate(f"api.tags.{name}", "en"))
    return APIBlueprint(
        name,
        import_name,
        url_prefix=API_PREFIX,
        abp_tags=[tag],
        abp_responses=dict(COMMON_RESPONSES),
        operation_id_callback=operation_id,
    )


def blueprints(local: bool = False) -> list[APIBlueprint]:
    """Every resource's blueprint, in the order they appear in the OpenAPI document.

    The ``dev`` helpers (the local SMS outbox) exist only in local and test stages:
    in dev and prod they are not even routed, nor in the OpenAPI document.
    """
    from functions.blueprints import (
        auth_owner,
        auth_staff,
        bills,
        dev,
        health,
        orders,
        owners,
        payments,
        session,
        staff,
    )  # fmt: skip

    bps = [health.bp, session.bp, auth_owner.bp, auth_staff.bp, staff.bp, owners.bp, orders.bp,
           bills.bp, payments.bp]
    return [*bps, dev.bp] if local else bps
