"""Routes of the WeChat payer step: the openid a JSAPI payment inside WeChat needs.

``GET /api/payments/wechat/authorize?estate=&building=&room=``  an owner inside WeChat: 302 to WeChat's
                                                 silent authorisation, with a fresh state
                                                 kept in a 5-minute cookie
``GET /api/payments/wechat/callback?<the unit>&code=&state=``  WeChat sends the owner back:
                                                 the state checked against the cookie, the
                                                 code exchanged for the openid, kept in an
                                                 HttpOnly cookie for the payment started
                                                 next; 302 to the bills page (``?wechat=ready``
                                                 or ``?wechat=failed``)

Browser navigations, not calls of the page's script: the answers are redirects. The page
learns it must come here from ``POST /api/payments`` answering 409 ``wechat_openid_required``.
"""

from __future__ import annotations

import logging

from flask import redirect, request
from pydantic import Field
from werkzeug.wrappers import Response

from functions.auth import signed_in
from functions.blueprints import api_blueprint
from functions.context import services, settings
from functions.error_models import DENIED, ErrorEnvelope, Responses
from functions.fields import CODE, SLUG
from functions.model import ApiModel
from portal.billing.model import UnitKey
from portal.billing.providers.base import ProviderError

logger = logging.getLogger(__name__)
bp = api_blueprint("wechat_payer", __name__)

STATE_COOKIE = "portal_wx_state"
OPENID_COOKIE = "portal_wx_openid"
"""Read by ``POST /api/payments`` (:mod:`functions.blueprints.payments`) inside WeChat."""
STATE_MAX_AGE = 300
OPENID_MAX_AGE = 2 * 3600
BILLS_PAGE = "/account/bills/"
_REDIRECT: Responses = {302: None, **DENIED, 409: ErrorEnvelope}


class UnitQuery(ApiModel):
    """The unit about to be paid for (its owner pays)."""

    estate: str = Field(pattern=SLUG)
    building: str = Field(pattern=CODE)
    room: str = Field(pattern=CODE)

    @property
    def unit(self) -> UnitKey:
        return UnitKey(self.estate, self.building, self.room)


class CallbackQuery(UnitQuery):
    code: str = Field(default="", max_length=128, description="Absent when the owner declined.")
    state: str = Field(default="", max_length=64)


def _cookie(response: Response, name: str, value: str, max_age: int, path: str) -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True,
                        secure=not settings().is_local, samesite="Lax")  # fmt: skip


@bp.get("/payments/wechat/authorize", responses=_REDIRECT)
def authorize(query: UnitQuery) -> Response:
    """Send the owner to WeChat's silent authorisation (snsapi_base) for the estate's WeChat
    Pay account; 409 when the estate does not take WeChat Pay."""
    url, state = services().wechat_payer.start(signed_in(), query.unit)
    response = redirect(url, 302)
    _cookie(response, STATE_COOKIE, state, STATE_MAX_AGE, "/api/payments/wechat/")
    return response


@bp.get("/payments/wechat/callback", responses=_REDIRECT)
def callback(query: CallbackQuery) -> Response:
    """WeChat's redirect back: keep the payer's openid for the next payment, then the bills page."""
    from portal.billing.providers.wechat_oauth import OAuthRefused

    identity = signed_in()
    expected = request.cookies.get(STATE_COOKIE, "")
    try:
        openid = services().wechat_payer.finish(identity, query.unit,
                                                {"code": query.code, "state": query.state},
                                                expected)  # fmt: skip
    except (OAuthRefused, ProviderError) as exc:
        logger.warning("WeChat payer step refused: %s", exc)
        response = redirect(f"{BILLS_PAGE}?wechat=failed", 302)
    else:
        response = redirect(f"{BILLS_PAGE}?wechat=ready", 302)
        _cookie(response, OPENID_COOKIE, openid, OPENID_MAX_AGE, "/api/payments")
    response.delete_cookie(STATE_COOKIE, path="/api/payments/wechat/",
                           secure=not settings().is_local, httponly=True, samesite="Lax")  # fmt: skip
    return response
