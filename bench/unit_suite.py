"""The unit suite's wall time, run serially, beside an earlier commit's on the same machine.

    .venv/bin/python bench/unit_suite.py [--baseline 55bde38] [--runs 1]

Runs ``pytest tests/unit -p no:cacheprovider -q`` in one process (no xdist) on
the working tree, and on ``--baseline`` checked out into a temporary git
worktree, one after the other, so both are measured on the same machine under
the same load. Prints each time, the test counts, the ratio, and one JSON line.
The target of the foundations issue: this tree's time at most a third of the
baseline's.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "55bde38"
"""The last commit before the foundations issue (the suite as it was)."""


def _run(cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/unit", "-p", "no:cacheprovider", "-q",
         "-p", "no:xdist", "-x"],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    if out.returncode != 0:
        raise SystemExit(f"the suite failed in {cwd}:\n{out.stdout[-3000:]}\n{out.stderr[-2000:]}")
    passed = re.search(r"(\d+) passed", summary)
    return seconds, int(passed.group(1)) if passed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help=f"commit to compare (default {BASELINE})")
    parser.add_argument("--runs", type=int, default=1, help="runs of each; the best is kept")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="unit-suite-baseline-") as tmp:
        base = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(base), args.baseline],
                       cwd=ROOT, check=True)  # fmt: skip
        try:
            before = min((_run(base) for _ in range(args.runs)), key=lambda r: r[0])
            after = min((_run(ROOT) for _ in range(args.runs)), key=lambda r: r[0])
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT,
                           check=False)  # fmt: skip
    ratio = after[0] / before[0]
    print(f"baseline {args.baseline}: {before[0]:.1f} s for {before[1]} tests")
    print(f"this tree:        {after[0]:.1f} s for {after[1]} tests")
    print(f"ratio {ratio:.2f} (target at most 0.33): {'met' if ratio <= 1 / 3 else 'not met'}")
    print(json.dumps({
        "baseline": args.baseline,
        "baseline_seconds": round(before[0], 1),
        "baseline_tests": before[1],
        "seconds": round(after[0], 1),
        "tests": after[1],
        "ratio": round(ratio, 3),
        "met": ratio <= 1 / 3,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
