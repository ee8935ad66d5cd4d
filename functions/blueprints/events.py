"""Routes of the `events` resource: community events (社区活动) an owner signs up for, and is
reminded of the day before (:mod:`portal.greetings`).

``GET  /api/events/mine``                      the events still to come of the owner's estates
``POST /api/events/<estate>/<event>/signups``  sign the household (one of their units) up, once

``event.signup`` is the owner's (:mod:`portal.accounts.policy`): a sign-up for another
household is 403, for an event that does not exist or is over 404 ``event_not_found``.
"""

from __future__ import annotations

from flask import Response
from pydantic import ConfigDict, Field

from functions.auth import signed_in
from functions.blueprints import api_blueprint
from functions.context import services
from functions.edge import client_ip
from functions.error_models import DENIED
from functions.fields import CODE, SLUG
from functions.model import ApiModel
from functions.responses import json_response
from portal.greetings.events import CommunityEvent

bp = api_blueprint("events", __name__)

EVENT = r"^2[0-9]{3}-(0[1-9]|1[0-2])-[1-9][0-9]{0,2}$"
"""An event: its campaign's month and its place in the campaign's list (``2026-12-1``)."""


class EventPath(ApiModel):
    estate: str = Field(pattern=SLUG, json_schema_extra={"example": "lanting"})
    event: str = Field(pattern=EVENT, json_schema_extra={"example": "2026-12-1"})


class SignupIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    building: str = Field(pattern=CODE, json_schema_extra={"example": "2"})
    room: str = Field(pattern=CODE, json_schema_extra={"example": "1-1503"})


class CommunityEventOut(ApiModel):
    estate: str
    event: str
    title: str
    title_en: str
    start: str = Field(description="UTC.")
    end: str
    location: str
    signed_up: bool

    @classmethod
    def of(cls, e: CommunityEvent, signed_up: bool) -> CommunityEventOut:
        return cls(estate=e.estate, event=e.event, title=e.title_zh, title_en=e.title_en,
                   start=e.start, end=e.end, location=e.location, signed_up=signed_up)  # fmt: skip


class CommunityEventList(ApiModel):
    items: list[CommunityEventOut] = Field(description="Soonest first, per estate.")


@bp.get("/events/mine", responses={200: CommunityEventList, **DENIED})
def my_events() -> Response:
    """The community events still to come of the owner's estates, with their sign-up."""
    got = services().events.mine(signed_in())
    return json_response(CommunityEventList(items=[CommunityEventOut.of(e, s) for e, s in got]))


@bp.post("/events/<estate>/<event>/signups", responses={200: CommunityEventOut, **DENIED})
def sign_up(path: EventPath, body: SignupIn) -> Response:
    """Sign the owner's household up (again: nothing changes); reminded the day before."""
    got = services().events.sign_up(signed_in(), path.estate, path.event, body.building,
                                     body.room, client_ip())  # fmt: skip
    return json_response(CommunityEventOut.of(got, True))
