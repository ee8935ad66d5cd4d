"""Routes of the `profiles` resource: the owner profile of each unit (客户动态表), for staff.

``GET   /api/profiles?estate=&building=``                   every unit in the caller's scope
``GET   /api/profiles/completeness?estate=``                档案完好率, with every incomplete unit
``GET   /api/profiles/<estate>/<building>/<room>``          one unit's profile
``PATCH /api/profiles/<estate>/<building>/<room>``          change it (``version``: 409 if moved on)
``GET   /api/profiles/<estate>/<building>/<room>/timeline`` every contact with the unit
``GET   /api/profiles/<estate>/<building>/<room>/history``  who changed what, when

Reading needs ``profile.read``, changing ``profile.manage`` (:mod:`portal.accounts.policy`),
in the caller's estate and buildings. Phones: unmasked on one unit's page for those who may
call owners (``owner.phone``), always masked in lists (the service does both). An estate or
unit the company does not have is 404. The rules are in :mod:`portal.profiles.service`.
"""

from __future__ import annotations

from flask import Response

from functions.auth import signed_in
from functions.blueprints import api_blueprint
from functions.blueprints.profiles_models import (
    ChangeOut,
    CompletenessOut,
    CompletenessQuery,
    ContactOut,
    EstateQuery,
    History,
    ProfileList,
    ProfileOut,
    ProfilePatch,
    Timeline,
    UnitPath,
)  # fmt: skip
from functions.context import services
from functions.error_models import DENIED, ErrorEnvelope
from functions.responses import json_response

bp = api_blueprint("profiles", __name__)



@bp.get("/profiles", responses={200: ProfileList, **DENIED})
def of_estate(query: EstateQuery) -> Response:
    """Every unit of the estate (or one building) in the caller's scope, phones masked."""
    got = services().profiles.of_estate(signed_in(), query.estate, query.building)
    return json_response(ProfileList(items=[ProfileOut.of(f) for f in got]))


@bp.get("/profiles/completeness", responses={200: CompletenessOut, **DENIED})
def completeness(query: CompletenessQuery) -> Response:
    """档案完好率 of the estate: complete profiles (numerator, their unit ids) over its units
    (denominator), and every incomplete unit with the fields it lacks."""
    got = services().profiles.completeness(signed_in(), query.estate)
    return json_response(CompletenessOut.of(query.estate, got))


@bp.get("/profiles/<estate>/<building>/<room>", responses={200: ProfileOut, **DENIED})
def read(path: UnitPath) -> Response:
    """One unit's profile: what staff keep, merged with the roster's residents."""
    got = services().profiles.read(signed_in(), path.estate, path.building, path.room)
    return json_response(ProfileOut.of(got))


@bp.patch("/profiles/<estate>/<building>/<room>",
          responses={200: ProfileOut, **DENIED, 409: ErrorEnvelope})  # fmt: skip
def update(path: UnitPath, body: ProfilePatch) -> Response:
    """Change the fields sent; each change is a history line. 409 when the profile moved past
    `version`, for a date after today, or a move-in before the handover."""
    got = services().profiles.update(signed_in(), path.estate, path.building, path.room,
                                     body.changes(), body.version)  # fmt: skip
    return json_response(ProfileOut.of(got))


@bp.get("/profiles/<estate>/<building>/<room>/timeline", responses={200: Timeline, **DENIED})
def timeline(path: UnitPath) -> Response:
    """Every contact with the unit, newest first: its orders' steps the owner saw, and its
    callbacks' attempts and results."""
    got = services().profiles.timeline(signed_in(), path.estate, path.building, path.room)
    return json_response(Timeline(items=[ContactOut.of(c) for c in got]))


@bp.get("/profiles/<estate>/<building>/<room>/history", responses={200: History, **DENIED})
def history(path: UnitPath) -> Response:
    """Who changed the profile, what and when (members' phones masked), newest first."""
    got = services().profiles.history(signed_in(), path.estate, path.building, path.room)
    return json_response(History(items=[ChangeOut(**line) for line in got]))
