"""Requests authenticated by a provider's signature skip the cookie session and CSRF checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import jsonify

from functions.auth import current_identity, signature_authenticated
from tests.support.auth import AuthActions


@pytest.fixture
def app(make_app: Callable[..., Any]) -> Any:
    """The API with two test routes: one signature-authenticated, one ordinary."""
    app = make_app()

    @signature_authenticated
    def provider_notification() -> Any:
        return jsonify(identity=current_identity() is not None)

    def ordinary() -> Any:
        return jsonify(ok=True)

    app.add_url_rule("/api/test/notify", view_func=provider_notification, methods=["POST"])
    app.add_url_rule("/api/test/ordinary", view_func=ordinary, methods=["POST"])
    return app


def test_signature_authenticated_route_accepts_a_cross_origin_post_without_csrf_token(
    app: Any,
) -> None:
    res = app.test_client().post(
        "/api/test/notify", data="sign=abc", headers={"Origin": "https://openapi.alipay.com"}
    )
    assert res.status_code == 200 and res.json == {"identity": False}


def test_signature_authenticated_route_ignores_a_session_cookie(auth: AuthActions) -> None:
    owner = auth.owner("13800138077", "钱七", ("lanting", "1", "1-0201"))
    res = owner.client.post("/api/test/notify", data="sign=abc")
    assert res.status_code == 200 and res.json == {"identity": False}


def test_ordinary_route_refuses_the_same_cross_origin_post(app: Any) -> None:
    res = app.test_client().post(
        "/api/test/ordinary", data="sign=abc", headers={"Origin": "https://openapi.alipay.com"}
    )
    assert res.status_code == 403 and res.json["error"]["code"] == "csrf_failed"
