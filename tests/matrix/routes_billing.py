"""The identity matrix's rows of bills and payments (see :mod:`tests.matrix.routes`)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from portal.billing.providers.config import payment_settings
from tests.matrix.rows import PUBLIC, Call, Needs, Row

UNIT_A = {"estate": "lanting", "building": "2", "room": "1-1503"}

MATRIX_PAYMENTS = payment_settings({"PORTAL_PAYMENTS": json.dumps({
    "accounts": {"sandbox": {"provider": "sandbox"},
                 "company-wechat": {"provider": "wechat", "mchid": "1900000109",
                                    "appid": "wx8888888888888888",
                                    "merchant_serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
                                    "platform_public_keys": {"PUB_KEY_ID_0119000001092025": ""}}},
    "estates": {"*": ["sandbox", "company-wechat"]}})}, local=True)  # fmt: skip
"""Every estate pays by the sandbox or WeChat Pay (keys made per process, no app secret: the
payer step's exchange is refused, and the callback sends the owner back with ``failed``)."""
PAYMENT_A = {"payment_id": "202611220000000alanting"}
"""Owner A's payment of October's management fee, recorded when the world is built."""


def notification(call: Call) -> Mapping[str, Any]:
    # The provider repeating its notification of PAYMENT_A: whoever sends it, it is signed.
    from tests.support.payments import FakeProvider

    headers, body = FakeProvider().notification(PAYMENT_A["payment_id"], 37100, call.world.clock())
    return {"data": body, "headers": headers}


def readings_upload(call: Call) -> Mapping[str, Any]:
    data = "楼栋,单元/房号,表类,上期读数,本期读数\n2,1-1503,水,10,12\n".encode()
    return {"query_string": {"estate": "lanting", "period": "2026-12", "dry_run": "true"},
            "data": {"file": (io.BytesIO(data), "readings.csv")},
            "content_type": "multipart/form-data"}  # fmt: skip


def areas_upload(call: Call) -> Mapping[str, Any]:
    data = "楼栋,单元/房号,建筑面积\n2,1-1503,132.50\n".encode()
    return {"query_string": {"estate": "lanting", "dry_run": "true"},
            "data": {"file": (io.BytesIO(data), "房屋面积.csv")},
            "content_type": "multipart/form-data"}  # fmt: skip


def one_off_charge(call: Call) -> Mapping[str, Any]:
    return {"json": {**UNIT_A, "period": "2026-11", "ref": f"m{call.index}", "amount_fen": 500,
                     "note": "门禁卡补办"}}  # fmt: skip


# ----------------------------------------------------------------------------- the routes


BILLING_ROUTES: tuple[Row, ...] = (
    Row("GET", "/api/bills/mine", 200, Needs("bill.read", kinds=("owner",))),
    Row(
        "GET",
        "/api/bills/<estate>/<building>/<room>",
        200,
        Needs("bill.read", target="unit_a"),
        path_params=UNIT_A,
        hidden_out_of_scope=True,
        note="Another owner, or finance and managers of another estate, get 404: the unit's "
        "account is hidden; roles that never read bills get 403.",
    ),
    Row(
        "GET",
        "/api/bills/<estate>/<building>/<room>/payments",
        200,
        Needs("bill.read", target="unit_a"),
        path_params=UNIT_A,
        hidden_out_of_scope=True,
        note="The unit account's payments and refunds: hidden (404) from another owner and "
        "from finance and managers of another estate; roles that never read bills get 403.",
    ),
    Row(
        "POST",
        "/api/bills/runs",
        200,
        Needs("bill.run", target="estate_1"),
        request={"json": {"estate": "lanting", "period": "2026-12"}},
    ),
    Row("POST", "/api/bills/charges", 201, Needs("bill.run", target="estate_1"),
        request=one_off_charge),
    Row("POST", "/api/bills/readings", 200, Needs("bill.run", target="estate_1"),
        request=readings_upload),
    Row("POST", "/api/bills/areas", 200, Needs("bill.run", target="estate_1"),
        request=areas_upload),
    Row(
        "POST",
        "/api/payments",
        201,
        Needs("payment.create", target="unit_a", kinds=("owner",)),
        request={"json": {**UNIT_A, "bills": ["2026-11-management"], "provider": "sandbox"}},
    ),
    Row(
        "GET",
        "/api/payments/<payment_id>",
        200,
        Needs("bill.read", target="unit_a"),
        path_params=PAYMENT_A,
        denied=404,
        note="Another's payment answers 404, like a missing one.",
    ),
    Row(
        "GET",
        "/api/payments/<payment_id>/receipt",
        200,
        Needs("bill.read", target="unit_a"),
        path_params=PAYMENT_A,
        denied=404,
        note="Another's receipt answers 404, like a missing one.",
    ),
    Row(
        "GET",
        "/api/payments/review",
        200,
        Needs("payment.review", target="estate_1"),
        request={"query_string": {"estate": "lanting"}},
    ),
    Row(
        "POST",
        "/api/payments/<payment_id>/refunds",
        201,
        Needs("payment.refund", target="estate_1"),
        path_params=PAYMENT_A,
        request={"json": {"amount_fen": 1, "reason": "矩阵测试退款"}},
        hidden_out_of_scope=True,
        note="Finance of another estate gets 404 (the payment's existence is hidden); every "
        "other role gets 403 before any look-up.",
    ),
    Row("POST", "/api/payments/notify/<account>", 200, PUBLIC,
        path_params={"account": "fake"}, request=notification),
    Row("GET", "/api/payments/wechat/authorize", 302,
        Needs("payment.create", target="unit_a", kinds=("owner",)),
        request={"query_string": UNIT_A}),
    Row("GET", "/api/payments/wechat/callback", 302,
        Needs("payment.create", target="unit_a", kinds=("owner",)),
        request={"query_string": {**UNIT_A, "code": "0123456789ab", "state": "x"}}),
)
