"""Reconciliation benchmark: 1,000,000 of our payments against a 1,000,000-line WeChat Pay
trade bill (plus the bank's settlement deposits), from files to the list of discrepancies:
ours (``portal.finance.reconcile``) side by side with pandas doing the same match.

    .venv/bin/python bench/reconcile.py [--payments N] [--keep DIR]

The files are generated once (seeded): ``ours.csv`` (our paid payments and refunds, as the
ledger exports them), ``wechat.csv`` (the provider's trade bill: backtick-prefixed values,
five-decimal fees, the summary section) and ``bank.csv`` (one settlement deposit a day).
Planted in them: orders missing on either side, amounts and fees that differ, payments
listed twice (the same line twice; an order paid again under another transaction), refunds,
a settlement that never arrived and a deposit nobody explains.

Each side runs in its own process, one after the other, and is measured from outside: wall
time and peak resident memory (``wait4``'s ``ru_maxrss``, the whole process: interpreter,
imports, work). Both must find exactly the same discrepancies (compared by a digest of the
sorted list). pandas runs from ``.venv-bench`` (``bench/requirements-bench.txt``), which the
script creates on first use; without network it prints the exact command and stops.
Target: ours no slower than pandas and at most a third of its memory. The last line is JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".venv-bench"
REQUIREMENTS = ROOT / "bench" / "requirements-bench.txt"
HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
          "付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
          "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")
SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
TENPAY = "财付通支付科技有限公司"
DAYS = 30


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def fee5(gross: int) -> tuple[str, int]:
    """The fee as WeChat writes it (five decimals) and in 1/100000 yuan."""
    units = gross * 6  # 0.6% of the gross: fen × 0.006 = yuan × 0.6 = (1e-5 yuan) × 6
    sign = "-" if units < 0 else ""
    return f"{sign}{abs(units) // 100000}.{abs(units) % 100000:05d}", units


def generate(folder: Path, n: int, seed: int = 20261122) -> dict[str, int]:
    """Write the three files; how many discrepancies of each kind were planted."""
    rng = random.Random(seed)
    planted = {"missing_at_provider": 0, "missing_in_ours": 0, "amount_differs": 0,
               "fee_differs": 0, "duplicate": 0, "settlement_missing": 0, "bank_unexplained": 0}
    net_by_day = [0] * DAYS
    totals = [0, 0, 0, 0]  # rows, settle, refunds, fee units
    with (folder / "ours.csv").open("w", encoding="utf-8", newline="") as ours, \
            (folder / "wechat.csv").open("w", encoding="utf-8", newline="") as bill:  # fmt: skip
        ours.write("kind,ref,out_trade_no,transaction_id,amount_fen,provider\n")
        bill.write(HEADER + "\r\n")

        def line(d: int, tx: str, otn: str, state: str, gross: int, refund: int = 0,
                 refund_no: str = "", fee_units: int | None = None) -> None:
            settle = gross if state == "SUCCESS" else 0
            text, units = fee5(gross if state == "SUCCESS" else -refund)
            if fee_units is not None:
                units = fee_units
                text = f"{units // 100000}.{units % 100000:05d}"
            totals[0] += 1
            totals[1] += settle
            totals[2] += refund
            totals[3] += units
            fen_fee = (abs(units) + 500) // 1000 * (1 if units >= 0 else -1)
            net_by_day[d] += (gross - fen_fee) if state == "SUCCESS" else (-refund - fen_fee)
            bill.write(f"`2026-11-{d + 1:02d} 10:{d:02d}:00,`wx2421b1a4370ec43b,`1900000109,`0,`,"
                       f"`{tx},`{otn},`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`{state},`OTHERS,`CNY,"
                       f"`{yuan(settle)},`0.00,`{'5030' + tx[4:] if refund else '0'},"
                       f"`{refund_no or '0'},`{yuan(refund)},`0.00,`{'ORIGINAL' if refund else ''},"
                       f"`{'SUCCESS' if refund else ''},`兰亭苑 物业费,`,`{text},`0.60%,"
                       f"`{yuan(gross if state == 'SUCCESS' else 0)},`{yuan(refund)},`\r\n")

        for i in range(n):
            d = i % DAYS
            otn = f"202611{d + 1:02d}{i:08x}lanting"
            tx = f"42000{i:023d}"
            amount = rng.randrange(5_000, 300_000)
            roll = i % 10_000
            if roll == 1:  # ours, never at the provider
                planted["missing_at_provider"] += 1
                ours.write(f"pay,,{otn},{tx},{amount},wechat\n")
                continue
            ours.write(f"pay,,{otn},{tx},{amount},wechat\n")
            if roll == 2:
                planted["amount_differs"] += 1
                line(d, tx, otn, "SUCCESS", amount + 100)
            elif roll == 3:
                planted["fee_differs"] += 1
                line(d, tx, otn, "SUCCESS", amount, fee_units=amount * 6 + 200_000)
            else:
                line(d, tx, otn, "SUCCESS", amount)
            if roll == 4:  # the same line twice
                planted["duplicate"] += 1
                line(d, tx, otn, "SUCCESS", amount)
            elif roll == 5:  # paid again under another transaction
                planted["duplicate"] += 1
                line(d, f"42009{i:023d}", otn, "SUCCESS", amount)
            elif roll == 6:  # a refund, matched
                refund_no = f"{otn}R01"
                ours.write(f"refund,{refund_no},{otn},,{amount // 2},wechat\n")
                line(d, tx, otn, "REFUND", 0, amount // 2, refund_no)
            elif roll == 7:  # the provider's, not ours
                planted["missing_in_ours"] += 1
                line(d, f"42008{i:023d}", f"202611{d + 1:02d}{i:08x}meixi", "SUCCESS", amount)
        bill.write(SUMMARY + "\r\n")
        bill.write(f"`{totals[0]},`{yuan(totals[1])},`{yuan(totals[2])},`0.00,"
                   f"`{totals[3] // 100000}.{totals[3] % 100000:05d},`{yuan(totals[1])},"
                   f"`{yuan(totals[2])}\r\n")
    with (folder / "bank.csv").open("w", encoding="utf-8", newline="") as bank:
        bank.write("交易日期,交易流水号,对方户名,贷方发生额,借方发生额,摘要\n")
        for d in range(DAYS):
            if d == 7:
                planted["settlement_missing"] += 1
                continue
            paid = date(2026, 11, d + 1) + timedelta(days=1)
            bank.write(f"{paid.isoformat()},B{d:06d},{TENPAY},{yuan(net_by_day[d])},,结算\n")
        planted["bank_unexplained"] += 1
        bank.write("2026-11-15,B999999,某某装饰工程有限公司,8888.00,,往来款\n")
    return planted


def digest(items: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for kind, ref in sorted(items):
        h.update(f"{kind}\t{ref}\n".encode())
    return h.hexdigest()[:16]


# -------------------------------------------------------------------------------- ours


def run_ours(folder: Path) -> dict[str, object]:
    import csv

    from portal.finance.reconcile import bank as bank_file
    from portal.finance.reconcile import wechat
    from portal.finance.reconcile.lines import Parsed
    from portal.finance.reconcile.matching import match_bank, match_provider

    refunds: list[tuple[str, str, int]] = []

    def ours() -> object:
        with (folder / "ours.csv").open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            next(rows)
            for kind, ref, otn, tx, amount, _provider in rows:
                if kind == "pay":
                    yield otn, tx, int(amount)
                else:
                    refunds.append((ref, otn, int(amount)))

    parsed = Parsed("wechat")
    table = list(ours())  # our side first (refunds too), then the bill streamed against it
    with (folder / "wechat.csv").open("rb") as fh:
        found, batches = match_provider("wechat", table, refunds, wechat.iter_lines(fh, parsed, 2_000_000))
        del table
    assert parsed.ok, parsed.problems[:3]
    mapping = bank_file.BankMapping("bench", date="交易日期", counterparty="对方户名",
                                    credit="贷方发生额", serial="交易流水号", memo="摘要")
    statement = bank_file.parse((folder / "bank.csv").read_bytes(), mapping)
    assert statement.ok, statement.problems
    found += match_bank({("wechat", d): net for d, net in batches.items()}, statement.bank_lines)
    return {"items": [(d.kind, d.ref) for d in found]}


# ------------------------------------------------------------------------------ pandas


def run_pandas(folder: Path) -> dict[str, object]:
    import numpy as np
    import pandas as pd

    ours = pd.read_csv(folder / "ours.csv", dtype={"kind": str, "ref": str, "out_trade_no": str,
                                                   "transaction_id": str, "amount_fen": "int64",
                                                   "provider": str}, keep_default_na=False)
    cols = ["交易时间", "微信订单号", "商户订单号", "交易状态", "商户退款单号", "退款金额", "退款状态",
            "手续费", "订单金额"]
    bill = pd.read_csv(folder / "wechat.csv", usecols=cols, dtype=str, keep_default_na=False)
    end = bill.index[bill["交易时间"] == "总交易单数"]
    if len(end):
        bill = bill.iloc[: end[0]]
    for c in cols:
        bill[c] = bill[c].str.lstrip("`")
    # exact: the files write two decimals (fees five), so the digits without the point are
    # fen (fees: 1/100000 yuan, rounded half up to the fen like the provider)
    to_fen = lambda s: s.str.replace(".", "", regex=False).astype("int64")  # noqa: E731
    bill["gross"] = to_fen(bill["订单金额"])
    units = to_fen(bill["手续费"])
    bill["fee"] = np.sign(units) * ((np.abs(units) + 500) // 1000)
    bill["refund"] = to_fen(bill["退款金额"])
    bill["day"] = bill["交易时间"].str.slice(0, 10)
    bill["line"] = np.arange(len(bill)) + 2
    pays = bill[bill["交易状态"] == "SUCCESS"]
    refunds = bill[(bill["交易状态"] == "REFUND") & (bill["退款状态"] == "SUCCESS")]
    out: list[tuple[str, str]] = []
    our_pays = ours[ours["kind"] == "pay"][["out_trade_no", "transaction_id", "amount_fen"]]
    m = pays.merge(our_pays, how="left", left_on="商户订单号", right_on="out_trade_no",
                   indicator=True)
    m = m.sort_values("line", kind="stable")
    foreign = m[m["_merge"] == "left_only"]
    dup_foreign = foreign["商户订单号"].duplicated()
    out += [("duplicate" if d else "missing_in_ours", r)
            for r, d in zip(foreign["商户订单号"], dup_foreign, strict=True)]
    known = m[m["_merge"] == "both"]
    other_tx = (known["transaction_id"] != "") & (known["transaction_id"] != known["微信订单号"])
    out += [("duplicate", r) for r in known.loc[other_tx, "商户订单号"]]
    same = known[~other_tx]
    again = same["商户订单号"].duplicated()
    out += [("duplicate", r) for r in same.loc[again, "商户订单号"]]
    first = same[~again]
    differs = first["amount_fen"] != first["gross"]
    out += [("amount_differs", r) for r in first.loc[differs, "商户订单号"]]
    ok = first[~differs]
    want = (ok["gross"] * 6000 * 2 + 1_000_000) // 2_000_000
    out += [("fee_differs", r) for r in ok.loc[ok["fee"] != want, "商户订单号"]]
    matched = set(first["商户订单号"])
    out += [("missing_at_provider", r) for r in our_pays["out_trade_no"] if r not in matched]
    our_refunds = ours[ours["kind"] == "refund"]
    rm = refunds.merge(our_refunds, how="outer", left_on="商户退款单号", right_on="ref",
                       indicator=True)
    out += [("missing_in_ours", r) for r in rm.loc[rm["_merge"] == "left_only", "商户退款单号"]]
    out += [("missing_at_provider", r) for r in rm.loc[rm["_merge"] == "right_only", "ref"]]
    both = rm[rm["_merge"] == "both"]
    out += [("amount_differs", r) for r in both.loc[both["amount_fen"] != both["refund"], "ref"]]
    pay_net = pays["gross"] - pays["fee"]
    ref_net = -refunds["refund"] - refunds["fee"]
    batches = pd.concat([pay_net.groupby(pays["day"]).sum(), ref_net.groupby(refunds["day"]).sum()]
                        ).groupby(level=0).sum()
    bank = pd.read_csv(folder / "bank.csv", dtype=str, keep_default_na=False)
    bank["amount"] = to_fen(bank["贷方发生额"].replace("", "0.00"))
    bank["day"] = pd.to_datetime(bank["交易日期"])
    used: set[int] = set()
    for day, net in batches.items():
        if net <= 0:
            continue
        start = pd.Timestamp(day) + pd.Timedelta(days=1)
        hit = bank[(bank["amount"] == net) & (bank["day"] >= start)
                   & (bank["day"] <= start + pd.Timedelta(days=3))
                   & bank["对方户名"].str.contains(TENPAY) & ~bank.index.isin(list(used))]
        if len(hit):
            used.add(int(hit.index[0]))
        else:
            out.append(("settlement_missing", f"wechat:{day}"))
    out += [("bank_unexplained", s) for i, s in enumerate(bank["交易流水号"]) if i not in used]
    return {"items": out, "pandas": pd.__version__, "strings": str(bill["商户订单号"].dtype)}


# ----------------------------------------------------------------------------- driver


def child(which: str, folder: Path) -> None:
    start = time.perf_counter()
    result = run_ours(folder) if which == "ours" else run_pandas(folder)
    wall = time.perf_counter() - start
    items = result.pop("items")
    assert isinstance(items, list)
    counts: dict[str, int] = {}
    for kind, _ in items:
        counts[kind] = counts.get(kind, 0) + 1
    print(json.dumps({"wall_s": round(wall, 3), "digest": digest(items), "counts": counts,
                      **result}))


def measure(python: str, which: str, folder: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen([python, __file__, "--child", which, str(folder)], env=env,
                            stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{which} failed ({proc.returncode})")
    result: dict[str, object] = json.loads(out.decode().strip().splitlines()[-1])
    result["process_s"] = round(time.perf_counter() - start, 3)
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)
    return result


def bench_python() -> str:
    python = BENCH_VENV / "bin" / "python"
    if not python.exists() or subprocess.run([str(python), "-c", "import pandas"],
                                             capture_output=True).returncode != 0:
        print(f"installing pandas into {BENCH_VENV} ({REQUIREMENTS.name}) ...", file=sys.stderr)
        base = getattr(sys, "_base_executable", sys.executable)
        try:
            subprocess.run([base, "-m", "venv", str(BENCH_VENV)], check=True)
            subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "--quiet", "pandas==3.1.1"],
                           check=True)
        except subprocess.CalledProcessError:
            raise SystemExit(f"could not install pandas; run:\n  {base} -m venv {BENCH_VENV} && "
                             f"{BENCH_VENV}/bin/pip install pandas==3.1.1") from None
    return str(python)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="Generate into (or reuse) this folder.")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    pandas_python = bench_python()
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "bank.csv").exists():
            t = time.perf_counter()
            planted = generate(folder, args.payments)
            print(f"generated {args.payments:,} payments in {time.perf_counter() - t:.1f} s: "
                  f"planted {planted}")
        lines = sum(1 for _ in (folder / "wechat.csv").open("rb")) - 3
        ours = measure(sys.executable, "ours", folder)
        theirs = measure(pandas_python, "pandas", folder)
    same = ours["digest"] == theirs["digest"]
    wall_ratio = float(ours["wall_s"]) / float(theirs["wall_s"])  # type: ignore[arg-type]
    mem_ratio = float(ours["peak_rss_mib"]) / float(theirs["peak_rss_mib"])  # type: ignore[arg-type]
    print(f"provider lines: {lines:,}; our payments: {args.payments:,}")
    for name, r in (("ours", ours), (f"pandas {theirs.get('pandas')}", theirs)):
        print(f"  {name:14} wall {r['wall_s']:>7} s  peak RSS {r['peak_rss_mib']:>8} MiB  "
              f"discrepancies {r['counts']}")
    print(f"  ratio ours/pandas: wall {wall_ratio:.2f}, memory {mem_ratio:.2f} "
          f"(target ≤ 1.00 and ≤ 0.33); same discrepancies: {same}")
    print(json.dumps({"bench": "reconcile", "payments": args.payments, "provider_lines": lines,
                      "ours_wall_s": ours["wall_s"], "pandas_wall_s": theirs["wall_s"],
                      "ours_peak_rss_mib": ours["peak_rss_mib"],
                      "pandas_peak_rss_mib": theirs["peak_rss_mib"],
                      "wall_ratio": round(wall_ratio, 3), "memory_ratio": round(mem_ratio, 3),
                      "same_discrepancies": same, "counts": ours["counts"],
                      "pandas": theirs.get("pandas")}))
    if not same:
        raise SystemExit("ours and pandas disagree")


if __name__ == "__main__":
    main()
