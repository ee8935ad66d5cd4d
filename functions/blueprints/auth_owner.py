"""Owner sign-in with a one-time code sent by SMS.

``POST /api/auth/code``
    Ask for a code for a mainland mobile number. The answer is the same
    whether or not the number belongs to an owner (no account enumeration).
``POST /api/auth/verify``
    Sign in with the number and the code: starts a session (rotating any old
    one) and answers with the same body as ``GET /api/me``.

Both are state-changing, so they pass the same-origin check of
:mod:`functions.auth` (there is no session yet, hence no CSRF token). The rules
live in :mod:`portal.accounts.signin.owner`; this module only translates HTTP.

A ``429`` carries the seconds to wait both in the body (``error.retry_after``)
and in the ``Retry-After`` header.
"""

from __future__ import annotations

from typing import Literal

from flask import Response, current_app
from pydantic import Field

from functions.auth import start_session
from functions.blueprints import api_blueprint
from functions.blueprints.session import MeResponse, me_fields
from functions.context import services
from functions.edge import client_ip
from functions.error_models import ErrorEnvelope
from functions.model import ApiModel
from functions.responses import json_response
from portal.accounts.signin.owner import CODE_TTL, RESEND_AFTER
from portal.i18n import translate
from portal.phones import PHONE_PATTERN

bp = api_blueprint("auth_owner", __name__)


class CodeRequest(ApiModel):
    phone: str = Field(
        min_length=1,
        max_length=32,
        description="Mainland mobile number (`13800138000`; spaces, dashes and +86 are accepted).",
        examples=["13800138000"],
        json_schema_extra={"pattern": PHONE_PATTERN},
    )
    lang: Literal["zh-CN", "en"] = Field(
        default="zh-CN", description="Language of the text message."
    )


class CodeRequested(ApiModel):
    """The same answer whether or not the number belongs to an owner."""

    expires_in: int = Field(description="Seconds a code stays valid.")
    resend_after: int = Field(description="Seconds before another code may be asked for.")
    message: str = Field(description="Notice for the owner, in Simplified Chinese.")
    message_en: str = Field(description="The same notice in English.")


class VerifyRequest(ApiModel):
    phone: str = Field(
        min_length=1, max_length=32, examples=["13800138000"],
        json_schema_extra={"pattern": PHONE_PATTERN},
    )  # fmt: skip
    code: str = Field(
        min_length=1,
        max_length=16,
        description="The 6-digit code from the SMS.",
        examples=["123456"],
    )


@bp.post(
    "/auth/code",
    responses={200: CodeRequested, 403: ErrorEnvelope, 429: ErrorEnvelope, 503: ErrorEnvelope},
)
def request_code(body: CodeRequest) -> Response:
    """Send a sign-in code by SMS (if the number is an owner's; the answer never says)."""
    services().owner_sign_in.request(body.phone, body.lang, client_ip())
    minutes = int(CODE_TTL.total_seconds()) // 60
    return json_response(
        CodeRequested(
            expires_in=int(CODE_TTL.total_seconds()),
            resend_after=int(RESEND_AFTER.total_seconds()),
            message=translate("auth.code_sent", "zh-CN", minutes=minutes),
            message_en=translate("auth.code_sent", "en", minutes=minutes),
        )
    )


@bp.post(
    "/auth/verify",
    responses={200: MeResponse, 401: ErrorEnvelope, 403: ErrorEnvelope, 429: ErrorEnvelope},
)
def verify_code(body: VerifyRequest) -> Response:
    """Sign in with the code: sets the session cookie and answers like ``GET /api/me``.

    A wrong, expired or used code and a number that is not an owner's all get the same
    401 ``code_invalid``.
    """
    owner = services().owner_sign_in.verify(body.phone, body.code, client_ip())
    response = Response(status=200, mimetype="application/json")
    session = start_session(response, "owner", owner.owner_id)
    response.set_data(
        current_app.json.dumps(
            MeResponse(**me_fields(owner.identity(), session, owner.phone)).model_dump(mode="json")
        )
    )
    return response
