"""Lighthouse scores of the reading pages (``bench/lighthouse.py``), as a slow test.

These are scores, not timings: accessibility, best practices and SEO must be
100, performance at least 95 (the best of up to three runs, see the bench's
docstring), and nothing may shift the layout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from portal import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

BENCH = ROOT / "bench" / "lighthouse.py"
EXIT_MISSING = 2
PAGES = ("estate", "notice", "campaign", "newsletter", "archive", "estate-large", "notice-large")
MIN_PERFORMANCE = 95


def _run_bench(reports: Path) -> tuple[dict[str, Any], str]:
    proc = subprocess.run(
        # A page's audits stop at the first run good enough to pass: on a loaded machine
        # chasing 100 ran each page three times (350 s of a CI run instead of about 120).
        [sys.executable, str(BENCH), "--keep", str(reports), "--enough", str(MIN_PERFORMANCE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1100,
        check=False,
    )
    if proc.returncode == EXIT_MISSING:
        pytest.fail(f"{proc.stderr.strip()}\nRun `make test`: it installs what this needs.")
    lines = proc.stdout.strip().splitlines()
    assert proc.returncode == 0 and lines, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    summary: dict[str, Any] = json.loads(lines[-1])
    return summary, proc.stdout


# One test, not three: pytest-xdist would run a shared fixture once per worker.
def test_reading_pages_score_100_except_performance_at_least_95_and_never_shift(
    tmp_path: Path,
) -> None:
    summary, output = _run_bench(tmp_path)
    assert set(summary["pages"]) == set(PAGES), output
    misses = []
    for page, figures in summary["pages"].items():
        for category in ("accessibility", "best-practices", "seo"):
            if figures[category] != 100:
                misses.append(f"{page}: {category} {figures[category]} < 100")
        if figures["performance"] is None or figures["performance"] < MIN_PERFORMANCE:
            misses.append(f"{page}: performance {figures['performance']} < {MIN_PERFORMANCE}")
        if figures["cls"] != 0:
            misses.append(f"{page}: cumulative layout shift {figures['cls']} != 0")
    assert misses == [], "\n".join(misses) + "\n\n" + output
