"""The WeChat Pay trade bill (交易账单, ``bill_type=ALL``), read line by line.

The layout (the merchant platform's download and the API's ``tradebill``): a header row
``交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,
交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,
充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,
费率备注``; one row per payment (交易状态 ``SUCCESS``) or refund (``REFUND``), every value
prefixed with a backtick (so a spreadsheet keeps long numbers as text); then a summary
section: the row ``总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,
订单总金额,申请退款总金额`` and one row of values, which is checked against the lines (a
truncated or edited file does not add up). 手续费 has five decimals; it is rounded half up
to the fen per line, half up (away from zero), as WeChat settles it.

A refund whose 退款状态 is not ``SUCCESS`` (still ``PROCESSING``) and a ``REVOKED`` order are
skipped (counted, not matched).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from portal.finance.reconcile.lines import (
    MAX_LINES,
    Bad,
    Parsed,
    ProviderLine,
    day_of,
    fen,
    normal,
    open_text,
)  # fmt: skip

HEADER_FIRST = "交易时间"
SUMMARY_FIRST = "总交易单数"
REQUIRED = ("交易时间", "商户号", "微信订单号", "商户订单号", "交易状态", "微信退款单号",
            "商户退款单号", "退款金额", "退款状态", "手续费", "订单金额")  # fmt: skip
SKIPPED_STATES = frozenset({"REVOKED", "CLOSED", "NOTPAY", "PAYERROR", "USERPAYING"})


def _v(cell: str) -> str:
    return cell[1:] if cell[:1] == "`" else cell


def looks_like(head: str) -> bool:
    return "微信订单号" in head and "商户订单号" in head


def parse(data: bytes | BinaryIO, max_lines: int = MAX_LINES) -> Parsed:
    """The lines of a WeChat Pay trade bill, or the problems that stop it being used."""
    out = Parsed("wechat")
    out.provider_lines.extend(iter_lines(data, out, max_lines))
    return out


def iter_lines(data: bytes | BinaryIO, out: Parsed, max_lines: int = MAX_LINES
               ) -> Iterator[ProviderLine]:  # fmt: skip
    """The bill's lines one by one (a million-line bill is never held); the problems go
    into ``out``, and the lines are worth nothing if there are any."""
    try:
        text = open_text(data)
    except Bad:
        out.problem(1, "", "encoding")
        return
    reader = csv.reader(text)
    col: dict[str, int] = {}
    totals = [0, 0, 0, 0]  # rows, 应结订单金额, 退款金额, 手续费 (fen, as summed exactly below)
    fee_units = 0
    summary_at = 0
    count = 0
    days: dict[str, str] = {}
    try:
        for row in reader:
            n = reader.line_num
            if not row or not any(row):
                continue
            first = normal(row[0]) if row[0][:1] != "`" else ""
            if not col:
                if first != HEADER_FIRST:
                    out.problem(n, "", "header_missing", ",".join(row)[:60])
                    return
                col = {normal(c): i for i, c in enumerate(row)}
                missing = [c for c in REQUIRED if c not in col]
                if missing:
                    out.problem(n, missing[0], "column_missing")
                    return
                c_day, c_tx, c_otn = col["交易时间"], col["微信订单号"], col["商户订单号"]
                c_state, c_refund_no, c_refund = col["交易状态"], col["商户退款单号"], col["退款金额"]
                c_refund_state, c_fee, c_gross = col["退款状态"], col["手续费"], col["订单金额"]
                c_settle = col.get("应结订单金额", c_gross)
                width = max(col.values()) + 1
                continue
            if first == SUMMARY_FIRST:
                summary_at = n
                _check_summary(out, reader, row, totals, fee_units)
                break
            if len(row) < width:
                out.problem(n, "", "columns_short", str(len(row)))
                continue
            o = 1 if row[0][:1] == "`" else 0  # every value has its backtick, or none has
            state = row[c_state][o:]
            totals[0] += 1
            raw_day = row[c_day][o : o + 10]
            try:
                day = days.get(raw_day) or days.setdefault(raw_day, day_of(raw_day))
                settle = fen(row[c_settle][o:])
                units = _units(row[c_fee][o:])
                fee_units += units
                fee = (units + 500) // 1000 if units >= 0 else -((500 - units) // 1000)
                if state == "SUCCESS":
                    gross_text = row[c_gross][o:]
                    gross = settle if gross_text == row[c_settle][o:] else fen(gross_text)
                    totals[1] += settle
                    count += 1
                    yield ("pay", row[c_otn][o:], row[c_tx][o:], "", gross, fee, day, n)
                elif state == "REFUND":
                    amount = fen(row[c_refund][o:])
                    totals[1] += settle
                    totals[2] += amount
                    if row[c_refund_state][o:] != "SUCCESS":
                        out.skipped += 1
                        continue
                    count += 1
                    yield ("refund", row[c_otn][o:], row[c_tx][o:], row[c_refund_no][o:], -amount,
                           fee, day, n)  # fmt: skip
                elif state in SKIPPED_STATES:
                    out.skipped += 1
                else:
                    out.problem(n, "交易状态", "state_unknown", state)
            except Bad as exc:
                out.problem(n, _column_of(exc.code), exc.code, ",".join(row)[:60])
            if count > max_lines:
                out.problem(n, "", "too_many_lines", str(max_lines))
                return
    except (csv.Error, UnicodeDecodeError):
        out.problem(reader.line_num + 1, "", "unreadable")
        return
    if not col:
        out.problem(1, "", "header_missing")
    elif not summary_at:
        out.problem(reader.line_num + 1, SUMMARY_FIRST, "summary_missing")


def _column_of(code: str) -> str:
    return "交易时间" if code == "date_invalid" else "订单金额/退款金额/手续费"


def _units(fee: str) -> int:
    """A fee in units of 1/100000 yuan (WeChat's five decimals): exact, and rounded half up
    (away from zero) to the fen by the caller."""
    s = fee.strip()
    neg = s[:1] == "-"
    whole, _, frac = (s[1:] if neg else s).partition(".")
    if not whole.isdigit() or len(frac) > 5 or (frac and not frac.isdigit()):
        raise Bad("amount_invalid")
    value = int(whole) * 100000 + int(frac.ljust(5, "0") or "0")
    return -value if neg else value


def _check_summary(out: Parsed, reader: object, header: list[str], totals: list[int],
                   fee_units: int) -> None:  # fmt: skip
    """The summary row must say what the lines add up to."""
    it = iter(reader)  # type: ignore[call-overload]
    values = next(it, None)
    n = getattr(reader, "line_num", 0)
    if values is None:
        out.problem(n + 1, SUMMARY_FIRST, "summary_missing")
        return
    stated = {normal(h): _v(v) for h, v in zip(header, values, strict=False)}
    try:
        checks = [("总交易单数", int(stated.get("总交易单数", "-1")), totals[0]),
                  ("应结订单总金额", fen(stated.get("应结订单总金额", "")), totals[1]),
                  ("退款总金额", fen(stated.get("退款总金额", "")), totals[2]),
                  ("手续费总金额", _units(stated.get("手续费总金额", "")), fee_units)]  # fmt: skip
    except (Bad, ValueError):
        out.problem(n, SUMMARY_FIRST, "summary_unreadable")
        return
    for name, said, found in checks:
        if said != found:
            out.problem(n, name, "summary_mismatch", f"{said} ≠ {found}")
