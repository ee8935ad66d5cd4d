"""The payer's openid for JSAPI: WeChat's web OAuth, silent scope (``snsapi_base``).

Inside WeChat the page sends the owner to :func:`authorize_url` (no consent screen
for ``snsapi_base``); WeChat comes back to ``redirect_uri?code=...&state=...``;
:func:`callback_code` checks the ``state`` we gave (bind it to the owner's session:
it is the CSRF guard of this step) and takes the code; :meth:`WeChatOAuth.openid`
exchanges the code, server to server, for the openid (:func:`access_token_url`,
:func:`openid_from_answer`). A code is single-use and lives 5 minutes.

The builders and parsers are pure; only :meth:`WeChatOAuth.openid` talks to WeChat,
through the providers' :class:`~.http.Transport`.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from collections.abc import Mapping
from urllib.parse import urlencode

from portal.billing.providers.base import ProviderError
from portal.billing.providers.http import Transport

AUTHORIZE = "https://open.weixin.qq.com/connect/oauth2/authorize"
ACCESS_TOKEN = "https://api.weixin.qq.com/sns/oauth2/access_token"
_CODE = re.compile(r"[A-Za-z0-9_-]{8,128}")
_OPENID = re.compile(r"[A-Za-z0-9_-]{8,64}")


class OAuthRefused(Exception):
    """The OAuth step failed; ``reason``: ``state_mismatch``, ``no_code`` (the owner
    declined or WeChat sent none), ``bad_code``, ``refused`` (WeChat's errcode in
    ``detail``), ``bad_answer``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason, self.detail = reason, detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def new_state() -> str:
    """A fresh ``state`` to keep with the owner's session until WeChat comes back."""
    return secrets.token_urlsafe(24)


def authorize_url(appid: str, redirect_uri: str, state: str, scope: str = "snsapi_base") -> str:
    """Where to send the owner (``redirect_uri`` must be on the domain set for the official
    account's web authorisation)."""
    if scope not in ("snsapi_base", "snsapi_userinfo"):
        raise ValueError("scope is snsapi_base or snsapi_userinfo")
    query = urlencode({"appid": appid, "redirect_uri": redirect_uri, "response_type": "code",
                       "scope": scope, "state": state})  # fmt: skip
    return f"{AUTHORIZE}?{query}#wechat_redirect"


def callback_code(query: Mapping[str, str], expected_state: str) -> str:
    """The code WeChat sent back, once ``state`` is the one we gave."""
    state = query.get("state", "")
    if not expected_state or not hmac.compare_digest(state.encode(), expected_state.encode()):
        raise OAuthRefused("state_mismatch")
    code = query.get("code", "")
    if not code:
        raise OAuthRefused("no_code")
    if not _CODE.fullmatch(code):
        raise OAuthRefused("bad_code")
    return code


def access_token_url(appid: str, secret: str, code: str) -> str:
    query = urlencode({"appid": appid, "secret": secret, "code": code,
                       "grant_type": "authorization_code"})  # fmt: skip
    return f"{ACCESS_TOKEN}?{query}"


def openid_from_answer(body: bytes) -> str:
    """The openid in WeChat's answer, or :class:`OAuthRefused` (``{"errcode": 40029}``)."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise OAuthRefused("bad_answer") from exc
    if not isinstance(doc, dict):
        raise OAuthRefused("bad_answer")
    if doc.get("errcode"):
        raise OAuthRefused("refused", str(doc.get("errcode")))
    openid = doc.get("openid")
    if not isinstance(openid, str) or not _OPENID.fullmatch(openid):
        raise OAuthRefused("bad_answer")
    return openid


class WeChatOAuth:
    """The OAuth step of one official account (the ``appid`` of the WeChat Pay account)."""

    def __init__(self, appid: str, secret: str, transport: Transport) -> None:
        self.appid, self._secret, self.transport = appid, secret, transport

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        return authorize_url(self.appid, redirect_uri, state)

    def openid(self, code: str) -> str:
        """Exchange ``code`` for the payer's openid (one HTTPS call to WeChat)."""
        if not self._secret:
            raise ProviderError("refused", "no_app_secret")
        res = self.transport("GET", access_token_url(self.appid, self._secret, code),
                             {"Accept": "application/json"}, b"")  # fmt: skip
        if res.status >= 500:
            raise ProviderError("unavailable", str(res.status))
        return openid_from_answer(res.body)
