"""``GET /api/me`` (who am I) and ``POST /api/auth/logout``."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response
from pydantic import Field

from functions.auth import current_session, end_session, require
from functions.blueprints import api_blueprint
from functions.context import services
from functions.error_models import ErrorEnvelope
from functions.model import ApiModel
from functions.responses import json_response
from portal.accounts.identity import Identity
from portal.accounts.sessions import Session

bp = api_blueprint("session", __name__)


class UnitOut(ApiModel):
    unit_id: str
    estate: str
    building: str
    room: str
    relationship: str


class MeResponse(ApiModel):
    kind: str = Field(description="`owner` or `staff` (staff includes finance and admin).")
    user_id: str
    name: str
    roles: list[str]
    estates: list[str] = Field(description="Estates in scope (an owner: of their units).")
    buildings: dict[str, list[str]] = Field(
        default_factory=dict, description="Per estate, the buildings a staff member is scoped to."
    )
    units: list[UnitOut] = Field(default_factory=list, description="An owner's units.")
    phone: str = Field(default="", description="The owner's own mobile number (owners only).")
    csrf_token: str = Field(description="Send back as `X-CSRF-Token` on every POST/PUT/DELETE.")


def me_fields(identity: Identity, session: Session, phone: str = "") -> dict[str, Any]:
    """The fields of a ``MeResponse`` (also the body of the sign-in answers)."""
    return dict(
        kind=identity.kind,
        user_id=identity.user_id,
        name=identity.name,
        roles=sorted(identity.roles),
        estates=sorted(identity.estates),
        buildings={e: sorted(b) for e, b in identity.buildings.items()},
        units=[
            UnitOut(
                unit_id=u.unit_id,
                estate=u.estate,
                building=u.building,
                room=u.room,
                relationship=u.relationship,
            )
            for u in identity.units
        ],
        phone=phone,
        csrf_token=session.csrf_token,
    )


@bp.get("/me", responses={200: MeResponse, 401: ErrorEnvelope})
def me() -> Response:
    """Who I am: role(s), my units or estates, and the CSRF token of my session."""
    identity = require("me.read")
    session = current_session()
    assert session is not None
    phone = ""
    if identity.is_owner:
        owner = services().owners.get(identity.user_id)
        phone = owner.phone if owner else ""
    return json_response(MeResponse(**me_fields(identity, session, phone)))


@bp.post("/auth/logout", responses={204: None})
def logout() -> Response:
    """End my session (server-side: a copied cookie stops working too)."""
    response = make_response("", 204)
    end_session(response)
    return response
