"""The identity matrix's rows of reconciliation (see :mod:`tests.matrix.routes`): finance of
the estate and admin only."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from tests.matrix.rows import Call, Needs, Row

DAY = {"estate": "lanting", "day": "2026-11-20"}
"""Matched (and re-matched) by the match row; its discrepancies are resolved by the resolve row."""
CLOSING = {"estate": "lanting", "day": "2026-11-19"}
"""Matched when the world is built (:func:`prepare`), closed by the close row (again: as it
is), reopened by the reopen row (back to matched): any order of the rows works."""


def prepare(services: Any) -> None:
    """What the rows expect of the world: ``CLOSING`` matched."""
    services.reconcile_days.match(CLOSING["estate"], CLOSING["day"], "cli:matrix")


def statement_upload(call: Call) -> Mapping[str, Any]:
    head = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
            "付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
            "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")
    row = (f"`2026-11-18 10:00:00,`wx1,`1900000109,`0,`,`42000{call.index:023d},"
           f"`20261118{call.index:08x}lanting,`o1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`1.00,`0.00,`0,`0,"
           "`0.00,`0.00,`,`,`物业费,`,`0.00600,`0.60%,`1.00,`0.00,`")
    summary = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n"
    data = f"{head}\n{row}\n{summary}`1,`1.00,`0.00,`0.00,`0.00600,`1.00,`0.00\n".encode()
    return {"query_string": {"estate": "lanting", "source": "wechat"},
            "data": {"file": (io.BytesIO(data), "wechat.csv")},
            "content_type": "multipart/form-data"}  # fmt: skip


def bank_sample(call: Call) -> Mapping[str, Any]:
    data = "交易日期,摘要,贷方发生额,对方户名\n2026-11-18,结算,1.00,财付通\n".encode("gbk")
    return {"query_string": {"estate": "lanting"}, "data": {"file": (io.BytesIO(data), "icbc.csv")},
            "content_type": "multipart/form-data"}  # fmt: skip


def open_discrepancy(call: Call) -> Mapping[str, Any]:
    """A fresh open discrepancy of ``DAY`` for each caller to resolve."""
    from portal.finance.reconcile.days import _item, discrepancy_id
    from portal.finance.reconcile.matching import Discrepancy
    from portal.store.table import Table

    d = Discrepancy("missing_in_ours", DAY["day"], f"MATRIX{call.index:04d}", "wechat", None, 100)
    Table(call.world.ddb, call.world.settings.table_name("main")).put(
        _item("lanting", DAY["day"], discrepancy_id(d), d, "2026-11-22T02:00:00Z"))
    return {"json": {"id": discrepancy_id(d), "action": "chase", "note": "矩阵测试：追查"}}


FINANCE_ROUTES: tuple[Row, ...] = (
    Row("POST", "/api/reconcile/statements", 200, Needs("reconcile.manage", target="estate_1"),
        request=statement_upload),
    Row("PUT", "/api/reconcile/banks", 200, Needs("reconcile.manage", target="estate_1"),
        request={"json": {"estate": "lanting", "bank": "icbc", "date": "交易日期",
                          "counterparty": "对方户名", "credit": "贷方发生额"}}),
    Row("POST", "/api/reconcile/banks/sample", 200, Needs("reconcile.manage", target="estate_1"),
        request=bank_sample),
    Row("GET", "/api/reconcile/banks", 200, Needs("reconcile.read", target="estate_1"),
        request={"query_string": {"estate": "lanting"}}),
    Row("POST", "/api/reconcile/days/<estate>/<day>/match", 200,
        Needs("reconcile.manage", target="estate_1"), path_params=DAY),
    Row("GET", "/api/reconcile/days/<estate>/<day>", 200,
        Needs("reconcile.read", target="estate_1"), path_params=DAY),
    Row("POST", "/api/reconcile/days/<estate>/<day>/resolutions", 200,
        Needs("reconcile.manage", target="estate_1"), path_params=DAY, request=open_discrepancy),
    Row("GET", "/api/reconcile/exceptions", 200, Needs("reconcile.read", target="estate_1"),
        request={"query_string": {"estate": "lanting"}}),
    Row("POST", "/api/reconcile/days/<estate>/<day>/close", 200,
        Needs("reconcile.manage", target="estate_1"), path_params=CLOSING),
    Row("POST", "/api/reconcile/days/<estate>/<day>/reopen", 200,
        Needs("reconcile.manage", target="estate_1"), path_params=CLOSING,
        request={"json": {"reason": "矩阵测试：补记一笔到账"}}),
)
