"""Requests authenticated by a provider's signature skip the cookie session and CSRF checks."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from functions.app import create_app
from functions.auth import current_identity, signature_authenticated
from portal.settings import Settings
from tests.factories import make_owner, wired
from tests.unit.test_functions_session import FakeClock, sign_in


def _app(ddb: Any, settings: Settings) -> Any:
    app = create_app(settings, wired(ddb, settings))

    @signature_authenticated
    def provider_notification() -> Any:
        return jsonify(identity=current_identity() is not None)

    def ordinary() -> Any:
        return jsonify(ok=True)

    app.add_url_rule("/api/test/notify", view_func=provider_notification, methods=["POST"])
    app.add_url_rule("/api/test/ordinary", view_func=ordinary, methods=["POST"])
    return app


def test_signature_authenticated_route_accepts_a_cross_origin_post_without_csrf_token(
    ddb: Any, settings: Settings
) -> None:
    res = (
        _app(ddb, settings)
        .test_client()
        .post("/api/test/notify", data="sign=abc", headers={"Origin": "https://openapi.alipay.com"})
    )
    assert res.status_code == 200


def test_signature_authenticated_route_ignores_a_session_cookie(
    ddb: Any, settings: Settings
) -> None:
    app = _app(ddb, settings)
    owner = make_owner(ddb, settings, "13800138077", "钱七", ("lanting", "1", "1-0201"))
    client = app.test_client()
    sign_in(app, client, "owner", owner.owner_id, FakeClock())
    res = client.post("/api/test/notify", data="sign=abc")
    assert res.status_code == 200 and res.json == {"identity": False}


def test_ordinary_route_refuses_the_same_cross_origin_post(ddb: Any, settings: Settings) -> None:
    res = (
        _app(ddb, settings)
        .test_client()
        .post(
            "/api/test/ordinary", data="sign=abc", headers={"Origin": "https://openapi.alipay.com"}
        )
    )
    assert res.status_code == 403 and res.json["error"]["code"] == "csrf_failed"
