"""Adversarial XLSX uploads: the worst time to accept or refuse one, ours beside openpyxl's.

    .venv/bin/python bench/xlsx_adversarial.py [--peer-timeout 30]

Each file of ``tests/support/xlsx_corpus.py`` fits in an upload (at most 1 MiB): a single
cell at row 1,048,576, 60,000 merged ranges, 300,000 shared strings, XML nested 100,000
deep, an entity-expansion DTD, 16,000 columns in a row, 400,000 empty rows. Ours is
``portal.tabular.read_sheet`` (the roster's reader); the peer is openpyxl in read-only mode
iterating the first sheet's rows, as the portal read them before, in a subprocess with a
time limit. Target: every file accepted or refused in under 1 s. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal.errors import InvalidInput  # noqa: E402
from portal.tabular import read_sheet  # noqa: E402
from tests.support.xlsx_corpus import CORPUS  # noqa: E402

PEER = """
import io, sys, time, openpyxl
data = sys.stdin.buffer.read()
t = time.perf_counter()
try:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    ws.reset_dimensions()
    n = sum(1 for _ in ws.iter_rows(max_col=60, values_only=True))
    out = f"{n} rows"
except Exception as exc:
    out = type(exc).__name__
print(f"{time.perf_counter() - t:.3f} {out}")
"""


def ours(data: bytes) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        sheet = read_sheet(data, 5000, "roster")
        outcome = f"accepted, {len(sheet.rows)} rows"
    except InvalidInput as exc:
        outcome = f"refused: {exc.code}"
    return time.perf_counter() - start, outcome


def peer(data: bytes, timeout: float) -> tuple[float | None, str]:
    try:
        done = subprocess.run([sys.executable, "-c", PEER], input=data, capture_output=True,
                              timeout=timeout, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        return None, f"over {timeout:.0f} s"
    seconds, _, outcome = done.stdout.decode().strip().partition(" ")
    return float(seconds or "nan"), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer-timeout", type=float, default=30.0)
    args = parser.parse_args()
    worst, worst_peer = 0.0, 0.0
    rows = []
    for name, make in CORPUS.items():
        data = make()
        seconds, outcome = ours(data)
        peer_s, peer_outcome = peer(data, args.peer_timeout)
        worst = max(worst, seconds)
        worst_peer = max(worst_peer, peer_s if peer_s is not None else args.peer_timeout)
        shown = f"{peer_s:.3f} s ({peer_outcome})" if peer_s is not None else peer_outcome
        print(f"{name:40s} {len(data):>9,} B  ours {seconds:.3f} s ({outcome});  openpyxl {shown}")
        rows.append({"file": name, "bytes": len(data), "ours_s": round(seconds, 3),
                     "openpyxl_s": None if peer_s is None else round(peer_s, 3)})  # fmt: skip
    print(f"worst case: ours {worst:.3f} s (target < 1 s: {'met' if worst < 1 else 'not met'}); "
          f"openpyxl {worst_peer:.3f} s")  # fmt: skip
    print(json.dumps({"worst_s": round(worst, 3), "worst_openpyxl_s": round(worst_peer, 3),
                      "met": worst < 1.0, "files": rows}, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
