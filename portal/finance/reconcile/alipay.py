"""Alipay's bill files: the business detail (业务明细) and the account detail (账务明细).

Both come as CSV in GBK (or UTF-8 when re-saved), with ``#`` lines around the table::

    #支付宝业务明细查询
    #账号：[2088xxxxxxxxxxxx]
    #起始日期：[2026年11月22日 00:00:00]   终止日期：[2026年11月23日 00:00:00]
    #-----------------------------------------业务明细列表----------------------------------------
    支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,
    对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,
    商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,
    退款批次号/请求号,服务费（元）,分润（元）,备注
    ...
    #-----------------------------------------业务明细列表结束------------------------------------
    #交易合计：3笔，商家实收共0.03元，商家优惠共0.00元
    #退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元
    #导出时间：[2026年11月23日 09:49:46]

Values carry a trailing tab (a spreadsheet keeps long numbers as text). Business detail:
业务类型 ``交易`` is a payment (订单金额, 服务费), ``退款`` a refund (商家实收 is the amount
given back, 退款批次号/请求号 our refund number, 服务费 the fee returned). The footer's
合计 lines are checked against the lines.

The account detail lists money movements: 账务流水号, 业务流水号, 商户订单号, 商品名称, 发生时间,
对方账号, 收入金额（+元）, 支出金额（-元）, 账户余额（元）, 交易渠道, 业务类型, 备注. A payment
(收入, 业务类型 在线支付/交易) and its fee (支出, 业务类型 收费/服务费, the same 业务流水号) are
separate lines: the fee is put on its payment; a refund (退款) is a refund; a withdrawal
(提现) and anything else is skipped. The footer's 收入合计/支出合计 are checked.
"""

from __future__ import annotations

import csv
import re
from typing import BinaryIO

from portal.finance.reconcile.lines import (
    MAX_LINES,
    Bad,
    Parsed,
    ProviderLine,
    day_of,
    fast_fee_fen,
    fen,
    normal,
    open_text,
)  # fmt: skip

BUSINESS = ("支付宝交易号", "商户订单号", "业务类型", "完成时间", "订单金额(元)", "商家实收(元)",
            "退款批次号/请求号", "服务费(元)")  # fmt: skip
ACCOUNT = ("账务流水号", "业务流水号", "商户订单号", "发生时间", "收入金额(+元)", "支出金额(-元)",
           "业务类型", "备注")  # fmt: skip
_ACCOUNT_NO = re.compile(r"账号[:：]\s*\[([^\]]*)\]")
_FOOTER = re.compile(r"(交易|退款|收入|支出)合计[:：]\s*(\d+)笔.*?共\s*(-?[\d,]+\.?\d*)\s*元")
_OURS_REFUND = re.compile(r"^(.{6,32})R(\d{2})$")
FEE_TYPES = ("收费", "服务费", "交易服务费", "手续费")
PAY_TYPES = ("在线支付", "交易", "交易付款", "收款")


def looks_like(head: str) -> bool:
    return "支付宝交易号" in head or "账务流水号" in head


def parse(data: bytes | BinaryIO, max_lines: int = MAX_LINES) -> Parsed:
    """The lines of an Alipay business or account detail, or the problems that stop it."""
    out = Parsed("alipay")
    try:
        text = open_text(data)
    except Bad:
        out.problem(1, "", "encoding")
        return out
    reader = csv.reader(text)
    col: dict[str, int] = {}
    kind = ""
    counted: dict[str, list[int]] = {}  # 交易/退款/收入/支出 → [count, fen] as the lines say
    footers: list[tuple[int, str, int, int]] = []
    fees: dict[str, int] = {}
    try:
        for row in reader:
            n = reader.line_num
            if not row or not any(c.strip() for c in row):
                continue
            first = row[0].strip()
            if first.startswith("#"):
                joined = ",".join(row)
                if (m := _ACCOUNT_NO.search(joined)) and not out.account:
                    out.account = m[1].strip()
                if col and (f := _FOOTER.search(joined)):
                    try:
                        footers.append((n, f[1], int(f[2]), fen(f[3])))
                    except Bad:
                        out.problem(n, f[1] + "合计", "summary_unreadable")
                continue
            cells = [c.strip().strip("\t").strip() for c in row]
            if not col:
                names = {normal(c): i for i, c in enumerate(cells)}
                kind = "business" if "支付宝交易号" in names else "account" if "账务流水号" in names else ""
                if not kind:
                    out.problem(n, "", "header_missing", ",".join(cells)[:60])
                    return out
                need = BUSINESS if kind == "business" else ACCOUNT
                missing = [c for c in need if c not in names]
                if missing:
                    out.problem(n, missing[0], "column_missing")
                    return out
                col = names
                width = max(col[c] for c in need) + 1
                continue
            if len(cells) < width:
                out.problem(n, "", "columns_short", str(len(cells)))
                continue
            try:
                if kind == "business":
                    _business(out, col, cells, n, counted)
                else:
                    _account(out, col, cells, n, counted, fees)
            except Bad as exc:
                out.problem(n, "完成时间/发生时间" if exc.code == "date_invalid" else "金额", exc.code,
                            ",".join(cells)[:60])  # fmt: skip
            if len(out.provider_lines) > max_lines:
                out.problem(n, "", "too_many_lines", str(max_lines))
                return out
    except (csv.Error, UnicodeDecodeError):
        out.problem(reader.line_num + 1, "", "unreadable")
        return out
    if not col:
        out.problem(1, "", "header_missing")
        return out
    if fees:
        _put_fees(out, fees)
    if not footers:
        out.problem(reader.line_num + 1, "#合计", "summary_missing")
    for n, what, count, total in footers:
        said = counted.get(what, [0, 0])
        if (count, abs(total)) != (said[0], abs(said[1])):
            out.problem(n, f"{what}合计", "summary_mismatch", f"{count}/{total} ≠ {said[0]}/{said[1]}")
    return out


def _business(out: Parsed, col: dict[str, int], c: list[str], n: int,
              counted: dict[str, list[int]]) -> None:  # fmt: skip
    what = c[col["业务类型"]]
    tx, otn, day = c[col["支付宝交易号"]], c[col["商户订单号"]], c[col["完成时间"]]
    fee_text = c[col["服务费(元)"]] or "0"
    if what == "交易":
        gross = fen(c[col["订单金额(元)"]])
        _count(counted, "交易", fen(c[col["商家实收(元)"]]))
        out.provider_lines.append(("pay", otn, tx, "", gross, abs(fast_fee_fen(fee_text)),
                                   day_of(day), n))  # fmt: skip
    elif what == "退款":
        amount = abs(fen(c[col["商家实收(元)"]]))
        _count(counted, "退款", -amount)
        out.provider_lines.append(("refund", otn, tx, c[col["退款批次号/请求号"]], -amount,
                                   -abs(fast_fee_fen(fee_text)), day_of(day), n))  # fmt: skip
    else:
        out.skipped += 1


def _account(out: Parsed, col: dict[str, int], c: list[str], n: int,
             counted: dict[str, list[int]], fees: dict[str, int]) -> None:  # fmt: skip
    income = fen(c[col["收入金额(+元)"]] or "0")
    spent = abs(fen(c[col["支出金额(-元)"]] or "0"))
    if income:
        _count(counted, "收入", income)
    if spent:
        _count(counted, "支出", spent)
    what, tx, ref = c[col["业务类型"]], c[col["业务流水号"]], c[col["商户订单号"]]
    day = day_of(c[col["发生时间"]])
    if any(t in what for t in FEE_TYPES):
        fees[tx] = fees.get(tx, 0) + spent - income
    elif "退款" in what and spent:
        m = _OURS_REFUND.match(ref)
        otn, refund_no = (m[1], ref) if m else (ref, "")
        out.provider_lines.append(("refund", otn, tx, refund_no, -spent, 0, day, n))
    elif what in PAY_TYPES and income:
        out.provider_lines.append(("pay", ref, tx, "", income, 0, day, n))
    else:
        out.skipped += 1


def _put_fees(out: Parsed, fees: dict[str, int]) -> None:
    """A fee line's amount onto its payment (or refund) line of the same 业务流水号; a fee
    whose payment is in another file stays a line of its own (kind ``fee``)."""
    lines = out.provider_lines
    for i, line in enumerate(lines):
        fee = fees.pop(line[2], None)
        if fee is not None:
            lines[i] = (*line[:5], line[5] + fee, *line[6:])
    for tx, fee in fees.items():
        extra: ProviderLine = ("fee", "", tx, "", 0, fee, lines[-1][6] if lines else "", 0)
        lines.append(extra)


def _count(counted: dict[str, list[int]], what: str, amount: int) -> None:
    c = counted.setdefault(what, [0, 0])
    c[0] += 1
    c[1] += amount
