"""Routes of the `callbacks` resource: callbacks (回访) to owners, for staff and owners.

``GET  /api/callbacks?estate=&day=``                    due and overdue (staff in scope)
``GET  /api/callbacks/<estate>/<callback_id>``           one callback
``POST /api/callbacks/<estate>/<callback_id>/attempts``  a try at reaching the owner
``POST /api/callbacks/<estate>/<callback_id>/result``    what the owner said (moves the order:
                                                         satisfied → callback_done, not → reopened)
``GET  /api/orders/<estate>/<number>/callback``          an order's callback (its owner, staff)
``POST /api/orders/<estate>/<number>/callback``          the owner answers it online

Staff need ``callback.record`` (a callback outside their estate or buildings answers 404,
as a missing one); an order's callback is seen by whoever may read the order. The rules are
in :mod:`portal.workorders.callbacks`; this module only translates HTTP.
"""

from __future__ import annotations

from flask import Response

from functions.auth import require, signed_in
from functions.blueprints import api_blueprint
from functions.blueprints.callbacks_models import (
    AttemptIn,
    CallbackOut,
    CallbackPath,
    DueOut,
    DueQuery,
    OnlineAnswerIn,
    OrderCallbackOut,
    OrderCallbackPath,
    ResultIn,
)  # fmt: skip
from functions.context import services
from functions.error_models import DENIED, ErrorEnvelope, Responses
from functions.responses import json_response
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.clock import iso
from portal.workorders.callback_model import Callback

bp = api_blueprint("callbacks", __name__)
_REFUSED: Responses = {**DENIED, 409: ErrorEnvelope}


def _out(callback: Callback, identity: Identity) -> CallbackOut:
    return CallbackOut.of(callback, identity, iso(services().clock()))


def _staff() -> Identity:
    """Staff who record callbacks (403 for everyone else, before any look-up)."""
    return require("callback.record")


@bp.get("/callbacks", responses={200: DueOut, **DENIED})
def due(query: DueQuery) -> Response:
    """The estate's open callbacks: overdue ones, and those due by the end of `day` (the
    caller's buildings only). An estate the company does not have is 404."""
    identity = require("callback.record", Target(estate=query.estate))
    services().estates.estate(query.estate)  # NotFound("unknown_estate")
    got = services().callbacks.due(identity, query.estate, query.day)
    return json_response(DueOut(overdue=[_out(c, identity) for c in got.overdue],
                                due=[_out(c, identity) for c in got.due]))  # fmt: skip


@bp.get("/callbacks/<estate>/<callback_id>", responses={200: CallbackOut, **DENIED})
def detail(path: CallbackPath) -> Response:
    """One callback, with every attempt and its result."""
    identity = _staff()
    return json_response(_out(services().callbacks.get(identity, path.estate, path.callback_id),
                              identity))  # fmt: skip


@bp.post("/callbacks/<estate>/<callback_id>/attempts", responses={200: CallbackOut, **_REFUSED})
def attempt(path: CallbackPath, body: AttemptIn) -> Response:
    """A try at reaching the owner (no answer, or "call me later"): the callback stays due.
    409 once it is recorded or cancelled, or has had its maximum of attempts."""
    identity = _staff()
    callback = services().callbacks.record_attempt(identity, path.estate, path.callback_id,
                                                   body.method, body.reached, body.note)  # fmt: skip
    return json_response(_out(callback, identity))


@bp.post("/callbacks/<estate>/<callback_id>/result", responses={200: CallbackOut, **_REFUSED})
def result(path: CallbackPath, body: ResultIn) -> Response:
    """What the owner said, recorded once (409 after that). An order's callback moves the
    order in the same write: satisfied → `callback_done`; `result` or `overall` unsatisfied →
    `reopened`, with the comment as the note of the second dispatch."""
    identity = _staff()
    callback = services().callbacks.record_result(identity, path.estate, path.callback_id,
                                                  body.answer())  # fmt: skip
    return json_response(_out(callback, identity))



@bp.get("/orders/<estate>/<number>/callback", responses={200: OrderCallbackOut, **DENIED})
def of_order(path: OrderCallbackPath) -> Response:
    """The callback of the order's latest resolution, if any (the order's owner, or staff who
    may read the order; anyone else: 404, as for the order)."""
    identity = signed_in()
    callback = services().callbacks.of_order(identity, path.estate, path.number)
    return json_response(OrderCallbackOut(
        callback=None if callback is None else _out(callback, identity),
        may_answer=identity.is_owner and callback is not None and callback.is_due,
    ))  # fmt: skip


@bp.post("/orders/<estate>/<number>/callback", responses={200: OrderCallbackOut, **_REFUSED})
def answer(path: OrderCallbackPath, body: OnlineAnswerIn) -> Response:
    """The owner answers their order's callback online (staff: 403). 404 when the order is not
    theirs or has no callback; 409 once answered, recorded by staff, or cancelled."""
    identity = signed_in()
    callback = services().callbacks.answer_online(identity, path.estate, path.number,
                                                  body.answer())  # fmt: skip
    return json_response(OrderCallbackOut(callback=_out(callback, identity), may_answer=False))
