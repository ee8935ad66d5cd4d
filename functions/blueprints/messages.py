"""Routes of the `messages` resource: what an owner agrees to receive (festival and birthday
greetings, reminders of bills falling due and of events they signed up for).

``GET /api/messages/preferences``   the owner's choice (both on until turned off)
``PUT /api/messages/preferences``   change it

``message.preferences`` is the owner's alone (:mod:`portal.accounts.policy`): no staff route
writes it, so staff cannot override an opt-out. Changes are audited.
"""

from __future__ import annotations

from flask import Response
from pydantic import ConfigDict, Field, StrictBool

from functions.auth import signed_in
from functions.blueprints import api_blueprint
from functions.context import services
from functions.edge import client_ip
from functions.error_models import DENIED
from functions.model import ApiModel
from functions.responses import json_response
from portal.greetings.preferences import Preferences

bp = api_blueprint("messages", __name__)

class PreferencesIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    greetings: StrictBool = Field(description="Festival (春节、元宵、中秋) and birthday greetings.")
    reminders: StrictBool = Field(description="Bills falling due, events signed up for.")


class PreferencesOut(ApiModel):
    greetings: bool
    reminders: bool
    updated_at: str = Field(description="When the owner last changed them (UTC); empty: never.")

    @classmethod
    def of(cls, p: Preferences) -> PreferencesOut:
        return cls(greetings=p.greetings, reminders=p.reminders, updated_at=p.updated_at)


@bp.get("/messages/preferences", responses={200: PreferencesOut, **DENIED})
def preferences() -> Response:
    """What the signed-in owner receives: greetings, reminders."""
    return json_response(PreferencesOut.of(services().message_preferences.read(signed_in())))


@bp.put("/messages/preferences", responses={200: PreferencesOut, **DENIED})
def change_preferences(body: PreferencesIn) -> Response:
    """Turn greetings or reminders on or off (the owner's own choice; audited)."""
    got = services().message_preferences.change(signed_in(), body.greetings, body.reminders,
                                                client_ip())  # fmt: skip
    return json_response(PreferencesOut.of(got))
