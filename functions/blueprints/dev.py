"""Local development helpers: they exist only in the local and test stages.

``GET /api/dev/outbox``
    The messages the local run "sent" (sign-in codes by SMS…), newest first.
    In local and test stages no SMS leaves the machine: the sender writes to an
    outbox in DynamoDB instead (:class:`portal.messaging.OutboxSender`). The
    numbers are shown unmasked: it is the developer's own outbox.

In the ``dev`` and ``prod`` stages every route here answers ``404``.
"""

from __future__ import annotations

from flask import Response
from pydantic import Field, RootModel

from functions.blueprints import api_blueprint
from functions.context import services, settings
from functions.error_models import ErrorEnvelope
from functions.model import ApiModel
from functions.responses import json_response
from portal.errors import NotFound

bp = api_blueprint("dev", __name__)


@bp.before_request
def local_only() -> None:
    """Outside the local and test stages, the dev routes do not exist."""
    if not settings().is_local:
        raise NotFound()


class OutboxQuery(ApiModel):
    limit: int = Field(default=50, ge=1, le=200, description="How many messages, at most.")


class OutboxMessageOut(ApiModel):
    message_id: str
    at: str = Field(description="When it was sent (UTC, ISO-8601).")
    channel: str = Field(description="`sms`.")
    phone: str = Field(description="The recipient's mobile number (local outbox: unmasked).")
    text: str


class OutboxList(RootModel[list[OutboxMessageOut]]):
    """Messages in the local outbox, newest first."""


@bp.get("/dev/outbox", responses={200: OutboxList, 404: ErrorEnvelope})
def outbox(query: OutboxQuery) -> Response:
    """The latest messages the local run sent (local stage only)."""
    outbox = services().outbox
    return json_response(
        OutboxList(
            [
                OutboxMessageOut(
                    message_id=m.message_id, at=m.at, channel=m.channel, phone=m.phone, text=m.text
                )
                for m in outbox.recent(query.limit)
            ]
        )
    )
