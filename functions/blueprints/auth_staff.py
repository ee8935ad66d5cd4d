"""Staff sign-in with a password (``POST /api/auth/login``) and own password change.

A wrong password, an unknown username and a disabled account all get the same
401 ``login_failed``; after 5 failures in a 15-minute window the username is
locked until the window ends (429 ``login_locked``), see :mod:`portal.accounts.staff`.
"""

from __future__ import annotations

from flask import Response
from pydantic import ConfigDict, Field

from functions.auth import current_session, require, start_session
from functions.blueprints import api_blueprint
from functions.blueprints.session import MeResponse, me_fields
from functions.context import services
from functions.edge import client_ip
from functions.error_models import ErrorEnvelope
from functions.fields import new_password_field
from functions.model import ApiModel
from functions.responses import json_response
from portal.errors import Forbidden

bp = api_blueprint("auth_staff", __name__)


class LoginRequest(ApiModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class LoginResponse(MeResponse):
    must_change_password: bool = Field(
        default=False,
        description="The password was set by an admin: ask for a new one "
        "(`POST /api/auth/password`) before anything else.",
    )


class PasswordChange(ApiModel):
    model_config = ConfigDict(extra="forbid")

    old_password: str = Field(min_length=1, max_length=1024)
    new_password: str = new_password_field("The new password:")


@bp.post(
    "/auth/login",
    responses={200: LoginResponse, 401: ErrorEnvelope, 403: ErrorEnvelope, 429: ErrorEnvelope},
)
def login(body: LoginRequest) -> Response:
    """Sign in with username and password; sets the session cookie and answers like `/api/me`."""
    account = services().staff_sign_in.login(body.username, body.password, client_ip())
    identity = account.identity()
    cookie_holder = Response()
    session = start_session(cookie_holder, "staff", account.username)
    response = json_response(
        LoginResponse(
            **me_fields(identity, session),
            must_change_password=account.must_change_password,
        )
    )
    for cookie in cookie_holder.headers.getlist("Set-Cookie"):
        response.headers.add("Set-Cookie", cookie)
    return response


@bp.post(
    "/auth/password",
    responses={
        204: None,
        401: ErrorEnvelope,
        403: ErrorEnvelope,
        409: ErrorEnvelope,
        429: ErrorEnvelope,
    },
)
def change_password(body: PasswordChange) -> Response:
    """Change my own password (staff): the current one, then the new one.

    A wrong current password is 403 ``password_wrong``; a new password that is the current
    one is 409 ``password_unchanged``; one that breaks a rule is 400 with the rule's code.
    """
    identity = require("me.read")
    if identity.kind != "staff":
        raise Forbidden()
    session = current_session()
    services().staff_sign_in.change_own_password(
        identity.user_id,
        body.old_password,
        body.new_password,
        client_ip(),
        keep_session=session.token_hash if session else None,
    )
    return Response(status=204)
